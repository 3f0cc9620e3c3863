package io.emeth.worker.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The job's result as uploaded after the last round and submitted on chain: a zip holding {@value
 * #MODEL_ENTRY} (the final global model, {@code WeightsCodec} format) and {@value #CHAIN_ENTRY}
 * (the hash chain: the data set's sha256, {@code h_0}, and per epoch the global model's reference,
 * sha256, validation loss and link). Entries carry a fixed timestamp, so the same result always
 * zips to the same bytes.
 */
final class ResultBundle {

    static final String MODEL_ENTRY = "model.emwt";
    static final String CHAIN_ENTRY = "hashchain.json";
    static final String EXTENSION = "zip";

    private static final ObjectMapper JSON =
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final FileTime EPOCH = FileTime.fromMillis(0);

    /** One epoch's entry of the chain file. */
    record Link(
            int epoch, String modelUri, String modelSha256, double validationLoss, String link) {}

    private ResultBundle() {}

    /** The chain file's JSON. */
    static String chainJson(
            String jobId, int attempt, String datasetSha256, String genesis, List<Link> links) {
        ObjectNode root = JSON.createObjectNode();
        root.put("format", "emeth-hashchain/1");
        root.put(
                "definition",
                "h_0 = sha256(sha256(dataset) || jobId bytes16);"
                        + " h_e = sha256(h_(e-1) || uint64be(e) || sha256(global model e))");
        root.put("jobId", jobId);
        root.put("attempt", attempt);
        root.put("datasetSha256", datasetSha256);
        root.put("h0", genesis);
        ArrayNode epochs = root.putArray("epochs");
        for (Link link : links) {
            ObjectNode e = epochs.addObject();
            e.put("epoch", link.epoch());
            e.put("model", link.modelUri());
            e.put("modelSha256", link.modelSha256());
            e.put("validationLoss", link.validationLoss());
            e.put("link", link.link());
        }
        try {
            return JSON.writeValueAsString(root) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serialises", e);
        }
    }

    /** The zip of the final model and the chain file. */
    static byte[] zip(byte[] model, String chainJson) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(model.length + 4096);
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            put(zip, MODEL_ENTRY, model);
            put(zip, CHAIN_ENTRY, chainJson.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("zipping in memory cannot fail", e);
        }
        return bytes.toByteArray();
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setCreationTime(EPOCH);
        entry.setLastModifiedTime(EPOCH);
        entry.setLastAccessTime(EPOCH);
        entry.setTime(0);
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }
}
