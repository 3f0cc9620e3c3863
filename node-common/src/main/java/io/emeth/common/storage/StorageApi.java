package io.emeth.common.storage;

/**
 * The Emeth storage API's wire contract, shared by {@link StorageClient} and the dev server so that
 * both sides spell every path and field the same way.
 *
 * <p>As the original node used it:
 *
 * <ul>
 *   <li>{@code POST /api/v1/node/signed-get-url} {@code {sig, address, jobId, signedtime}} → {@code
 *       {url}}: a URL to GET the job's data set;
 *   <li>{@code POST /api/v1/node/multipartUpload/getPutSignedUrls} {@code {sig, jobId, address,
 *       signedtime, partNum, extension}} → {@code {urls: {"0": url, …}, uploadId, fileName}}: one
 *       URL per part, keyed by the 0-based part index; each part is PUT there and its {@code ETag}
 *       response header kept;
 *   <li>{@code POST /api/v1/node/multipartUpload/completeUpload} {@code {jobId, address, parts:
 *       [{ETag, PartNumber}], uploadId, extension}} where {@code PartNumber} is 1-based (S3's
 *       numbering: the part PUT to {@code urls["0"]} is {@code PartNumber} 1); the request is not
 *       signed, the {@code uploadId} is the capability;
 *   <li>{@code GET /api/v1/sizeOf?key=dataset/{dataset}} → {@code {result: bytes}}.
 * </ul>
 *
 * <p><b>Extension (ours):</b> {@code signed-get-url} also takes an optional {@code fileName}, the
 * value a {@code completeUpload} answered, and then signs a URL for that uploaded file instead of
 * the job's data set. Workers need it to fetch the models other workers uploaded; a service that
 * does not know the field ignores it and answers the data set, which the caller detects by size and
 * hash (every model reference carries its sha256).
 */
public final class StorageApi {
    public static final String SIGNED_GET_URL = "/api/v1/node/signed-get-url";
    public static final String GET_PUT_SIGNED_URLS =
            "/api/v1/node/multipartUpload/getPutSignedUrls";
    public static final String COMPLETE_UPLOAD = "/api/v1/node/multipartUpload/completeUpload";
    public static final String SIZE_OF = "/api/v1/sizeOf";

    /** The {@code key} prefix of data sets in {@code sizeOf}. */
    public static final String DATASET_KEY_PREFIX = "dataset/";

    public static final String SIG = "sig";
    public static final String ADDRESS = "address";
    public static final String JOB_ID = "jobId";
    public static final String SIGNED_TIME = "signedtime";
    public static final String PART_NUM = "partNum";
    public static final String EXTENSION = "extension";
    public static final String URL = "url";
    public static final String URLS = "urls";
    public static final String UPLOAD_ID = "uploadId";
    public static final String FILE_NAME = "fileName";
    public static final String PARTS = "parts";
    public static final String ETAG = "ETag";
    public static final String PART_NUMBER = "PartNumber";
    public static final String RESULT = "result";

    /** The original node's part size. */
    public static final long DEFAULT_PART_SIZE = 10_000_000L;

    /** S3's limit on the parts of one multipart upload. */
    public static final int MAX_PARTS = 10_000;

    private StorageApi() {}
}
