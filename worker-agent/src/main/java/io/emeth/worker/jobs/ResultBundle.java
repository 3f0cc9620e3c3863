package io.emeth.worker.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The job's result as uploaded after the last round and submitted on chain: a zip holding the final
 * global model and {@value #CHAIN_ENTRY} (the hash chain: the data set's sha256, {@code h_0}, and
 * per epoch the global model's reference, sha256, validation loss and link). For a fine-tuned GPT-2
 * the model is HF's layout, {@code model.safetensors}, {@code config.json} and {@code
 * tokenizer.json} (loadable by {@code GPT2LMHeadModel.from_pretrained} once unzipped), and the
 * chain's {@code result} binds the sha256 of that {@code model.safetensors} to {@code h_E}; for the
 * byte-level fixture it is {@value #MODEL_ENTRY} ({@code WeightsCodec} format). Entries carry a
 * fixed timestamp, so the same result always zips to the same bytes.
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

    /** The delivered weights file and its link to the chain (see {@code HashChain.resultLink}). */
    record Result(String file, String sha256, String link) {}

    /** The chain file's JSON. */
    static String chainJson(
            String jobId, int attempt, String datasetSha256, String genesis, List<Link> links) {
        return chainJson(jobId, attempt, datasetSha256, genesis, links, null);
    }

    /** The chain file's JSON, with the delivered weights' binding when {@code result} is set. */
    static String chainJson(
            String jobId,
            int attempt,
            String datasetSha256,
            String genesis,
            List<Link> links,
            Result result) {
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
        if (result != null) {
            ObjectNode r = root.putObject("result");
            r.put("file", result.file());
            r.put("sha256", result.sha256());
            r.put("definition", "link = sha256(h_E || sha256(file))");
            r.put("link", result.link());
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

    /**
     * Zips {@code files} (each under its file name, stored uncompressed: float weights barely
     * compress) and the chain file into {@code out}, streaming, so a 1.4 GB model never sits in
     * memory.
     */
    static void zip(Path out, List<Path> files, String chainJson) throws IOException {
        Files.createDirectories(out.toAbsolutePath().getParent());
        try (ZipOutputStream zip =
                new ZipOutputStream(new BufferedOutputStream(Files.newOutputStream(out)))) {
            for (Path file : files) {
                ZipEntry entry = entry(file.getFileName().toString());
                entry.setMethod(ZipEntry.STORED);
                long size = Files.size(file);
                entry.setSize(size);
                entry.setCompressedSize(size);
                entry.setCrc(crc32(file));
                zip.putNextEntry(entry);
                Files.copy(file, zip);
                zip.closeEntry();
            }
            zip.putNextEntry(entry(CHAIN_ENTRY));
            zip.write(chainJson.getBytes(StandardCharsets.UTF_8));
            zip.closeEntry();
        }
    }

    private static long crc32(Path file) throws IOException {
        CRC32 crc = new CRC32();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                crc.update(buffer, 0, n);
            }
        }
        return crc.getValue();
    }

    private static ZipEntry entry(String name) {
        ZipEntry entry = new ZipEntry(name);
        entry.setCreationTime(EPOCH);
        entry.setLastModifiedTime(EPOCH);
        entry.setLastAccessTime(EPOCH);
        entry.setTime(0);
        return entry;
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
