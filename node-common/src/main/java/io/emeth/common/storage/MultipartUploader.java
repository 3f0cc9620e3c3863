package io.emeth.common.storage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The multipart upload of {@link StorageClient#upload}: asks for one signed URL per part, PUTs the
 * parts in order keeping each {@code ETag}, then completes the upload with {@code PartNumber}s
 * counted from 1 — exactly the original node's sequence.
 */
final class MultipartUploader {
    private static final Logger log = LoggerFactory.getLogger(MultipartUploader.class);
    private static final Pattern EXTENSION = Pattern.compile("(\\.[A-Za-z0-9]{1,16})?");

    private final StorageHttp http;
    private final Function<String, ObjectNode> signer;
    private final String address;
    private final long partSize;

    MultipartUploader(
            StorageHttp http, Function<String, ObjectNode> signer, String address, long partSize) {
        this.http = http;
        this.signer = signer;
        this.address = address;
        this.partSize = partSize;
    }

    /** Parts for a file of {@code size} bytes: at least one, so an empty file uploads too. */
    static int partCount(long size, long partSize) {
        long parts = Math.max(1, (size + partSize - 1) / partSize);
        if (parts > StorageApi.MAX_PARTS) {
            throw new IllegalArgumentException(
                    "a file of "
                            + size
                            + " bytes needs "
                            + parts
                            + " parts of "
                            + partSize
                            + " bytes, more than the "
                            + StorageApi.MAX_PARTS
                            + " a multipart upload allows; raise the part size");
        }
        return (int) parts;
    }

    static String normalizeExtension(String extension) {
        String ext = extension == null ? "" : extension.strip();
        if (!ext.isEmpty() && !ext.startsWith(".")) {
            ext = "." + ext;
        }
        if (!EXTENSION.matcher(ext).matches()) {
            throw new IllegalArgumentException(
                    "extension must be a dot and 1-16 letters or digits, like .zip: '"
                            + extension
                            + "'");
        }
        return ext;
    }

    String upload(String jobId, Path file, String extension) throws IOException {
        String ext = normalizeExtension(extension);
        long size = Files.size(file);
        int parts = partCount(size, partSize);
        JsonNode answer =
                http.postJson(
                        StorageApi.GET_PUT_SIGNED_URLS,
                        jobId,
                        () ->
                                signer.apply(jobId)
                                        .put(StorageApi.PART_NUM, parts)
                                        .put(StorageApi.EXTENSION, ext));
        String endpoint = "POST " + StorageApi.GET_PUT_SIGNED_URLS;
        List<URI> urls = partUrls(answer, parts, http.base(), endpoint, jobId);
        String uploadId = textField(answer, StorageApi.UPLOAD_ID, endpoint, jobId);
        String fileName = textField(answer, StorageApi.FILE_NAME, endpoint, jobId);

        ArrayNode completed = StorageHttp.JSON.createArrayNode();
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int i = 0; i < parts; i++) {
                long offset = i * partSize;
                byte[] bytes = readPart(channel, offset, (int) Math.min(partSize, size - offset));
                String etag = http.putPart(urls.get(i), bytes, jobId, i + 1);
                completed.addObject().put(StorageApi.ETAG, etag).put(StorageApi.PART_NUMBER, i + 1);
            }
        }
        http.postJson(
                StorageApi.COMPLETE_UPLOAD,
                jobId,
                () -> {
                    ObjectNode body = StorageHttp.JSON.createObjectNode();
                    body.put(StorageApi.JOB_ID, jobId).put(StorageApi.ADDRESS, address);
                    body.set(StorageApi.PARTS, completed);
                    return body.put(StorageApi.UPLOAD_ID, uploadId).put(StorageApi.EXTENSION, ext);
                });
        log.info(
                "Uploaded [jobId:{}, fileName:{}, bytes:{}, parts:{}, uploadId:{}]",
                jobId,
                fileName,
                size,
                parts,
                uploadId);
        return fileName;
    }

    private static byte[] readPart(FileChannel channel, long offset, int length)
            throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(Math.max(0, length));
        while (buffer.hasRemaining()) {
            if (channel.read(buffer, offset + buffer.position()) < 0) {
                throw new IOException(
                        "file shrank while uploading: no bytes at offset "
                                + (offset + buffer.position()));
            }
        }
        return buffer.array();
    }

    /** The part URLs keyed "0".."n-1" (an array is accepted too), checked to be exactly n. */
    static List<URI> partUrls(JsonNode answer, int parts, URI base, String endpoint, String jobId)
            throws StorageException {
        JsonNode urls = answer.get(StorageApi.URLS);
        List<URI> out = new ArrayList<>(parts);
        for (int i = 0; i < parts; i++) {
            JsonNode url = urls == null ? null : urls.isArray() ? urls.get(i) : urls.get("" + i);
            if (url == null || !url.isTextual()) {
                throw malformed(endpoint, jobId, "no URL for part index " + i + " in 'urls'");
            }
            out.add(toUri(url.asText(), base, endpoint, jobId));
        }
        if (urls.size() != parts) {
            throw malformed(
                    endpoint, jobId, "asked for " + parts + " part URLs, got " + urls.size());
        }
        return out;
    }

    static URI urlField(JsonNode answer, String field, URI base, String endpoint, String jobId)
            throws StorageException {
        return toUri(textField(answer, field, endpoint, jobId), base, endpoint, jobId);
    }

    private static URI toUri(String text, URI base, String endpoint, String jobId)
            throws StorageException {
        try {
            URI uri = base.resolve(text);
            if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
                throw malformed(endpoint, jobId, "not an http(s) URL: '" + text + "'");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw malformed(endpoint, jobId, "not a URL: '" + text + "'");
        }
    }

    static String textField(JsonNode answer, String field, String endpoint, String jobId)
            throws StorageException {
        JsonNode value = answer == null ? null : answer.get(field);
        if (value == null || !value.isTextual() || value.asText().isBlank()) {
            throw malformed(endpoint, jobId, "answer has no '" + field + "'");
        }
        return value.asText();
    }

    private static StorageException malformed(String endpoint, String jobId, String detail) {
        return new StorageException(endpoint, 200, jobId, detail, false, null);
    }
}
