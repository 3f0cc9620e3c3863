package io.emeth.chain.indexer;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * A job's {@code jobDetails(jobId)} as the contract stores them (the requester's own input), and
 * the checks that keep hostile values out of the pipeline: a {@code param} that is not a JSON
 * object, an oversized one, a data set name the storage API could not use, a program id that does
 * not fit.
 */
record JobDetails(BigInteger programId, String param, String dataset) {
    /** Largest {@code param} passed on; larger ones would bloat every record that carries it. */
    static final int MAX_PARAM_BYTES = 64 * 1024;

    /** Longest data set name; the storage API's limit for a key part. */
    static final int MAX_DATASET_CHARS = 256;

    private static final ObjectMapper JSON =
            JsonMapper.builder()
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
                    .build();

    static {
        JSON.getFactory()
                .setStreamReadConstraints(
                        StreamReadConstraints.builder().maxNestingDepth(64).build());
    }

    /**
     * Why these details cannot go into a {@code JobRequested} for {@code jobId}, if they cannot.
     */
    Optional<String> problem(String jobId) {
        if (dataset == null || dataset.isEmpty()) {
            return Optional.of(
                    "jobDetails("
                            + jobId
                            + ") at the latest block has no data set:"
                            + " the job is not on the chain any more (reorged away?)");
        }
        if (programId.bitLength() > 63) {
            return Optional.of(
                    "programId "
                            + programId
                            + " of job "
                            + jobId
                            + " is out of range (at most "
                            + Long.MAX_VALUE
                            + ")");
        }
        if (dataset.length() > MAX_DATASET_CHARS
                || dataset.chars().anyMatch(Character::isISOControl)) {
            return Optional.of(
                    "dataset of job "
                            + jobId
                            + " is not a usable name (at most "
                            + MAX_DATASET_CHARS
                            + " printable characters): '"
                            + LogDecoder.abbreviate(printable(dataset))
                            + "'");
        }
        int paramBytes = param.getBytes(StandardCharsets.UTF_8).length;
        if (paramBytes > MAX_PARAM_BYTES) {
            return Optional.of(
                    "param of job "
                            + jobId
                            + " is "
                            + paramBytes
                            + " bytes, more than the "
                            + MAX_PARAM_BYTES
                            + " accepted");
        }
        try {
            JsonNode node = JSON.readTree(param);
            if (node == null || !node.isObject()) {
                return Optional.of(
                        "param of job "
                                + jobId
                                + " is not a JSON object: '"
                                + LogDecoder.abbreviate(printable(param))
                                + "'");
            }
        } catch (JsonProcessingException e) {
            return Optional.of(
                    "param of job "
                            + jobId
                            + " is not JSON ("
                            + e.getOriginalMessage()
                            + "): '"
                            + LogDecoder.abbreviate(printable(param))
                            + "'");
        }
        return Optional.empty();
    }

    private static String printable(String value) {
        StringBuilder sb = new StringBuilder();
        value.codePoints()
                .limit(100)
                .forEach(
                        c ->
                                sb.append(
                                        Character.isISOControl(c)
                                                ? String.format("\\u%04x", c)
                                                : Character.toString(c)));
        return sb.toString();
    }
}
