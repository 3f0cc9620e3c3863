package io.emeth.storage.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.common.storage.StorageApi;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The storage API's behaviour, free of HTTP plumbing: takes parsed requests, answers JSON, throws
 * {@link DevStorageException} for every refusal. {@link StorageDevServer} is the thin Javalin
 * adapter in front of it.
 */
final class DevStorageService {
    private static final Logger log = LoggerFactory.getLogger(DevStorageService.class);
    static final String FILES_PATH = "/files/";
    static final String PARTS_PATH = "/parts/";

    private final DevStore store;
    private final MultipartUploads uploads;
    private final UrlSigner signer;
    private final RequestAuthenticator authenticator;
    private final StorageDevServer.Options options;

    DevStorageService(
            DevStore store,
            MultipartUploads uploads,
            UrlSigner signer,
            StorageDevServer.Options options) {
        this.store = store;
        this.uploads = uploads;
        this.signer = signer;
        this.authenticator = new RequestAuthenticator(options.maxClockSkew());
        this.options = options;
    }

    ObjectNode signedGetUrl(JsonNode body, String baseUrl) throws IOException {
        RequestAuthenticator.Signed req = authenticator.authenticate(body, now());
        JsonNode fileName = body.get(StorageApi.FILE_NAME);
        String path;
        if (fileName != null && !fileName.isNull()) {
            String name = Names.file("fileName", fileName.asText());
            if (!name.startsWith(req.jobId() + "-")) {
                // a node signs for one job and may read that job's uploads only
                throw new DevStorageException(
                        403,
                        "other_job",
                        "file '" + name + "' was not uploaded for job " + req.jobId());
            }
            if (store.result(name).isEmpty()) {
                throw DevStorageException.notFound("no uploaded file '" + name + "'");
            }
            path = FILES_PATH + "result/" + name;
        } else {
            String dataset = datasetOf(req.jobId());
            path = FILES_PATH + "dataset/" + dataset;
        }
        log.info(
                "Signed download URL [jobId:{}, address:{}, path:{}]",
                req.jobId(),
                req.address(),
                path);
        return DevStore.JSON
                .createObjectNode()
                .put(StorageApi.URL, signedUrl(baseUrl, "GET", path));
    }

    private String datasetOf(String jobId) throws IOException {
        Optional<String> dataset = options.jobDatasets().datasetOf(jobId);
        if (dataset.isEmpty()) {
            dataset = store.boundDataset(jobId);
        }
        String name =
                dataset.orElseThrow(
                        () ->
                                DevStorageException.notFound(
                                        "no data set is bound to job "
                                                + jobId
                                                + "; bind one with PUT /api/v1/dev/jobs/"
                                                + jobId
                                                + "/dataset {\"dataset\": name}"));
        if (store.dataset(name).isEmpty()) {
            throw DevStorageException.notFound(
                    "data set '" + name + "' of job " + jobId + " does not exist");
        }
        return name;
    }

    ObjectNode getPutSignedUrls(JsonNode body, String baseUrl) throws IOException {
        RequestAuthenticator.Signed req = authenticator.authenticate(body, now());
        int parts = partNum(body.get(StorageApi.PART_NUM));
        JsonNode extNode = body.get(StorageApi.EXTENSION);
        String extension =
                Names.extension(extNode == null || extNode.isNull() ? "" : extNode.asText());
        MultipartUploads.Meta meta = uploads.create(req.jobId(), req.address(), parts, extension);
        ObjectNode answer = DevStore.JSON.createObjectNode();
        ObjectNode urls = answer.putObject(StorageApi.URLS);
        for (int i = 0; i < parts; i++) {
            // urls are keyed by the 0-based index; the part's PartNumber is index + 1
            urls.put(
                    Integer.toString(i),
                    signedUrl(baseUrl, "PUT", PARTS_PATH + meta.uploadId() + "/" + (i + 1)));
        }
        log.info(
                "Opened upload [jobId:{}, uploadId:{}, parts:{}, fileName:{}]",
                req.jobId(),
                meta.uploadId(),
                parts,
                meta.fileName());
        return answer.put(StorageApi.UPLOAD_ID, meta.uploadId())
                .put(StorageApi.FILE_NAME, meta.fileName());
    }

    /**
     * The original client sent {@code size / partSize} unrounded; a fraction means one more part.
     */
    private static int partNum(JsonNode node) {
        if (node == null || !node.isNumber() && !node.isTextual()) {
            throw DevStorageException.badRequest(
                    "partNum must be a number, got "
                            + (node == null ? "(missing)" : Names.printable(node.toString())));
        }
        double value;
        try {
            value = node.isNumber() ? node.asDouble() : Double.parseDouble(node.asText());
        } catch (NumberFormatException e) {
            throw DevStorageException.badRequest(
                    "partNum must be a number: '" + Names.printable(node.asText()) + "'");
        }
        if (!(value > 0) || value > StorageApi.MAX_PARTS) {
            throw DevStorageException.badRequest(
                    "partNum must be between 1 and "
                            + StorageApi.MAX_PARTS
                            + ", got "
                            + Names.printable(node.asText()));
        }
        return (int) Math.ceil(value);
    }

    ObjectNode completeUpload(JsonNode body) throws IOException {
        String uploadId = Names.uploadId(RequestAuthenticator.text(body, StorageApi.UPLOAD_ID));
        String jobId = Names.jobId(RequestAuthenticator.text(body, StorageApi.JOB_ID));
        String address = RequestAuthenticator.text(body, StorageApi.ADDRESS);
        JsonNode extNode = body.get(StorageApi.EXTENSION);
        String extension =
                Names.extension(extNode == null || extNode.isNull() ? "" : extNode.asText());
        MultipartUploads.Meta done =
                uploads.complete(
                        uploadId, jobId, address, extension, partRefs(body.get(StorageApi.PARTS)));
        log.info(
                "Completed upload [jobId:{}, uploadId:{}, fileName:{}, bytes:{}]",
                jobId,
                uploadId,
                done.fileName(),
                done.size());
        return DevStore.JSON
                .createObjectNode()
                .put(StorageApi.FILE_NAME, done.fileName())
                .put("size", done.size());
    }

    private static List<MultipartUploads.PartRef> partRefs(JsonNode parts) {
        if (parts == null || !parts.isArray() || parts.isEmpty()) {
            throw DevStorageException.badRequest(
                    "parts must be a non-empty array of {ETag, PartNumber}");
        }
        if (parts.size() > StorageApi.MAX_PARTS) {
            throw DevStorageException.badRequest(
                    "parts has " + parts.size() + " entries, more than " + StorageApi.MAX_PARTS);
        }
        List<MultipartUploads.PartRef> out = new ArrayList<>();
        for (JsonNode p : parts) {
            JsonNode etag = p.get(StorageApi.ETAG);
            JsonNode number = p.get(StorageApi.PART_NUMBER);
            if (etag == null
                    || !etag.isTextual()
                    || number == null
                    || !number.canConvertToInt()
                    || !number.isIntegralNumber()) {
                throw DevStorageException.badRequest(
                        "parts: each entry needs a string ETag and an integer PartNumber, got "
                                + Names.printable(p.toString()));
            }
            out.add(new MultipartUploads.PartRef(etag.asText(), number.asInt()));
        }
        return out;
    }

    ObjectNode sizeOf(String key) {
        if (key == null || key.isEmpty()) {
            throw DevStorageException.badRequest(
                    "query parameter key is missing, e.g. key=dataset/name");
        }
        Optional<Path> file;
        if (key.startsWith(StorageApi.DATASET_KEY_PREFIX)) {
            file = store.dataset(key.substring(StorageApi.DATASET_KEY_PREFIX.length()));
        } else if (key.startsWith("result/")) {
            file = store.result(key.substring("result/".length()));
        } else {
            throw DevStorageException.badRequest(
                    "key must start with dataset/ or result/: '" + Names.printable(key) + "'");
        }
        Path found =
                file.orElseThrow(
                        () -> DevStorageException.notFound("no object with key '" + key + "'"));
        return DevStore.JSON.createObjectNode().put(StorageApi.RESULT, found.toFile().length());
    }

    /** Checks a presigned download URL and answers the file it grants. */
    Path fileForGet(String kind, String name, String expires, String signature) {
        String path = FILES_PATH + kind + "/" + name;
        signer.verify("GET", path, expires, signature, now());
        Optional<Path> file =
                switch (kind) {
                    case "dataset" -> store.dataset(name);
                    case "result" -> store.result(name);
                    default ->
                            throw DevStorageException.notFound(
                                    "no such file kind '" + Names.printable(kind) + "'");
                };
        return file.orElseThrow(() -> DevStorageException.notFound("no file " + path));
    }

    /** Checks a presigned part URL and stores the part; answers its ETag. */
    String putPart(
            String uploadId,
            String partNumber,
            String expires,
            String signature,
            InputStream body,
            long contentLength)
            throws IOException {
        signer.verify("PUT", PARTS_PATH + uploadId + "/" + partNumber, expires, signature, now());
        if (contentLength > options.maxPartBytes()) {
            throw AtomicFiles.tooLarge("part " + partNumber, options.maxPartBytes());
        }
        if (!partNumber.matches("\\d{1,5}")) {
            throw DevStorageException.badRequest(
                    "part number must be an integer: '" + Names.printable(partNumber) + "'");
        }
        return uploads.putPart(
                Names.uploadId(uploadId),
                Integer.parseInt(partNumber),
                body,
                options.maxPartBytes());
    }

    ObjectNode putDataset(String name, String jobId, InputStream body, long contentLength)
            throws IOException {
        Names.file("data set name", name);
        if (contentLength > options.maxDatasetBytes()) {
            throw AtomicFiles.tooLarge("data set " + name, options.maxDatasetBytes());
        }
        DevStore.Stored stored = store.putDataset(name, body, options.maxDatasetBytes());
        if (jobId != null) {
            store.bindJob(jobId, name);
        }
        log.info(
                "Stored dev data set [name:{}, bytes:{}, sha256:{}, jobId:{}]",
                name,
                stored.size(),
                stored.sha256(),
                jobId);
        return DevStore.JSON
                .createObjectNode()
                .put("name", name)
                .put("size", stored.size())
                .put("sha256", stored.sha256());
    }

    ObjectNode bindJob(String jobId, JsonNode body) throws IOException {
        String dataset = RequestAuthenticator.text(body, "dataset");
        store.bindJob(jobId, dataset);
        log.info("Bound dev data set [jobId:{}, dataset:{}]", jobId, dataset);
        return DevStore.JSON
                .createObjectNode()
                .put(StorageApi.JOB_ID, Names.jobId(jobId))
                .put("dataset", dataset);
    }

    private String signedUrl(String baseUrl, String method, String path) {
        return baseUrl + path + "?" + signer.query(method, path, now().plus(options.urlTtl()));
    }

    private Instant now() {
        return options.clock().instant();
    }
}
