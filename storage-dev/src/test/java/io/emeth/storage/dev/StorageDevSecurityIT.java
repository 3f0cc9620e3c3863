package io.emeth.storage.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.eth.Signatures;
import io.emeth.common.storage.StorageClient;
import io.emeth.common.storage.StorageException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Forged, expired, hostile and oversized requests: each refused with a clear 4xx. */
class StorageDevSecurityIT {
    static final String JOB = StorageDevServerIT.JOB;
    static final String SIGNED_GET_URL = "/api/v1/node/signed-get-url";
    static final String PUT_URLS = "/api/v1/node/multipartUpload/getPutSignedUrls";
    static final String COMPLETE = "/api/v1/node/multipartUpload/completeUpload";

    @TempDir Path root;
    @TempDir Path work;
    StorageDevServer server;
    final NodeIdentity node = NodeIdentity.generate();
    final NodeIdentity other = NodeIdentity.generate();

    @BeforeEach
    void start() throws Exception {
        server =
                StorageDevServer.start(
                        root,
                        "127.0.0.1",
                        0,
                        StorageDevServer.Options.defaults()
                                .withMaxPartBytes(1_000)
                                .withMaxDatasetBytes(10_000));
        DevHttp.put(server.url() + "/api/v1/dev/dataset/data.txt?jobId=" + JOB, new byte[] {1});
    }

    @AfterEach
    void stop() {
        server.close();
    }

    DevHttp.Answer post(String path, String json) throws Exception {
        return DevHttp.post(server.url() + path, json);
    }

    @Test
    void shouldRefuseAnExpiredOrFutureSignatureNamingTheReason() throws Exception {
        // Given a client whose clock is two minutes behind
        StorageClient late =
                StorageClient.builder(URI.create(server.url()), node)
                        .clock(Clock.offset(Clock.systemUTC(), Duration.ofMinutes(-2)))
                        .build();
        // Then the server refuses its requests with 401 naming signedtime
        assertThatThrownBy(() -> late.signedGetUrl(JOB))
                .isInstanceOf(StorageException.class)
                .satisfies(e -> assertThat(((StorageException) e).status()).isEqualTo(401))
                .hasMessageContaining("HTTP 401: signedtime")
                .hasMessageContaining("allowed ±60000 ms");
        var future =
                post(
                        SIGNED_GET_URL,
                        DevHttp.signed(node, JOB, System.currentTimeMillis() + 120_000, ""));
        assertThat(future.status()).isEqualTo(401);
        assertThat(future.reason()).isEqualTo("signedtime_out_of_window");
        var seconds =
                post(
                        SIGNED_GET_URL,
                        DevHttp.signed(node, JOB, System.currentTimeMillis() / 1000, ""));
        assertThat(seconds.error()).contains("looks like seconds");
    }

    @Test
    void shouldRefuseForgedSignatures() throws Exception {
        long now = System.currentTimeMillis();
        // a signature by another key, claiming our address
        String byOther = Signatures.signStorageRequest(other, JOB, now);
        var forged = post(SIGNED_GET_URL, body(byOther, node.address(), JOB, now));
        assertThat(forged.status()).isEqualTo(401);
        assertThat(forged.reason()).isEqualTo("signer_mismatch");
        assertThat(forged.error()).contains(other.address()).contains(node.address());
        // an EIP-191 signature of the same digest is not the storage API's raw form
        String personal = Signatures.signPersonal(node, Signatures.storageDigest(JOB, now));
        assertThat(post(SIGNED_GET_URL, body(personal, node.address(), JOB, now)).reason())
                .isEqualTo("signer_mismatch");
        // a signature over another job, replayed
        String otherJob = Signatures.signStorageRequest(node, "0x" + "f".repeat(32), now);
        assertThat(post(SIGNED_GET_URL, body(otherJob, node.address(), JOB, now)).status())
                .isEqualTo(401);
        // garbage, truncated, missing
        var garbage = post(SIGNED_GET_URL, body("0xzz", node.address(), JOB, now));
        assertThat(garbage.status()).isEqualTo(401);
        assertThat(garbage.reason()).isEqualTo("bad_signature");
        assertThat(garbage.error()).contains("not hex");
        assertThat(
                        post(
                                        SIGNED_GET_URL,
                                        body(byOther.substring(0, 100), node.address(), JOB, now))
                                .error())
                .contains("65 bytes");
        var missing =
                post(
                        SIGNED_GET_URL,
                        "{\"address\":\""
                                + node.address()
                                + "\",\"jobId\":\""
                                + JOB
                                + "\",\"signedtime\":"
                                + now
                                + "}");
        assertThat(missing.status()).isEqualTo(401);
        assertThat(missing.error()).isEqualTo("sig is missing");
        // also on the upload endpoint
        var upload =
                post(
                        PUT_URLS,
                        body(byOther, node.address(), JOB, now)
                                .replace("}", ",\"partNum\":1,\"extension\":\"\"}"));
        assertThat(upload.status()).isEqualTo(401);
    }

    @Test
    void shouldRefuseHostileNamesAndKeys() throws Exception {
        long now = System.currentTimeMillis();
        for (String name :
                new String[] {"..", ".url-secret", "..%2F..%2Fetc", "a%00b", "x".repeat(201)}) {
            // a fresh connection each: Jetty itself refuses some of these URIs before our code
            // runs and then closes the connection without saying so
            var answer =
                    DevHttp.send(
                            HttpClient.newHttpClient(),
                            HttpRequest.newBuilder(
                                            URI.create(
                                                    server.url() + "/api/v1/dev/dataset/" + name))
                                    .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {1}))
                                    .build());
            assertThat(answer.status()).as(name).isBetween(400, 404);
            assertThat(Files.exists(root.resolve(".url-secret"))).isTrue();
        }
        var secret =
                post(
                        SIGNED_GET_URL,
                        DevHttp.signed(node, JOB, now, "\"fileName\":\"../.url-secret\""));
        assertThat(secret.status()).isEqualTo(400);
        assertThat(secret.error()).contains("fileName must be");
        var dotFile =
                post(
                        SIGNED_GET_URL,
                        DevHttp.signed(node, JOB, now, "\"fileName\":\".url-secret\""));
        assertThat(dotFile.status()).isEqualTo(400);
        assertThat(DevHttp.get(server.url() + "/api/v1/sizeOf?key=dataset/../.url-secret").status())
                .isEqualTo(400);
        var otherPrefix = DevHttp.get(server.url() + "/api/v1/sizeOf?key=uploads/x");
        assertThat(otherPrefix.error()).contains("key must start with dataset/ or result/");
        var badJob = post(SIGNED_GET_URL, DevHttp.signed(node, "../../etc", now, ""));
        assertThat(badJob.status()).isEqualTo(400);
        assertThat(badJob.error()).contains("jobId must be 0x + 32 hex digits");
        var badExt =
                post(
                        PUT_URLS,
                        DevHttp.signed(node, JOB, now, "\"partNum\":1,\"extension\":\"/../../x\""));
        assertThat(badExt.error()).contains("extension must be");
        var badParts =
                post(
                        PUT_URLS,
                        DevHttp.signed(node, JOB, now, "\"partNum\":10001,\"extension\":\"\""));
        assertThat(badParts.error()).contains("partNum must be between 1 and 10000");
        assertThat(post(PUT_URLS, DevHttp.signed(node, JOB, now, "\"partNum\":\"NaN\"")).status())
                .isEqualTo(400);
        var badUpload =
                post(
                        COMPLETE,
                        "{\"jobId\":\""
                                + JOB
                                + "\",\"address\":\""
                                + node.address()
                                + "\",\"parts\":[],\"uploadId\":\"../../x\"}");
        assertThat(badUpload.error()).contains("uploadId must be 32 lowercase hex digits");
    }

    @Test
    void shouldOnlyHandOutAnUploadToItsOwnJob() throws Exception {
        // Given a file uploaded for JOB
        StorageClient client = StorageClient.builder(URI.create(server.url()), node).build();
        String fileName =
                client.upload(JOB, Files.write(work.resolve("m.pt"), new byte[] {9}), ".pt");
        // When a request signed for another job asks for it
        String otherJob = "0x" + "ab".repeat(16);
        assertThatThrownBy(() -> client.signedGetUrl(otherJob, fileName))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(
                        "HTTP 403: file '" + fileName + "' was not uploaded for job " + otherJob);
        assertThatThrownBy(() -> client.signedGetUrl(JOB, JOB + "-nothing.pt"))
                .hasMessageContaining("HTTP 404: no uploaded file");
    }

    @Test
    void shouldRefuseTamperedAndUnsignedUrls() throws Exception {
        StorageClient client = StorageClient.builder(URI.create(server.url()), node).build();
        String url = client.signedGetUrl(JOB).toString();
        assertThat(DevHttp.get(url).status()).isEqualTo(200);
        var otherFile = DevHttp.get(url.replace("data.txt", "data2.txt"));
        assertThat(otherFile.status()).isEqualTo(403);
        assertThat(otherFile.reason()).isEqualTo("url_signature_invalid");
        var longer = DevHttp.get(url.replaceFirst("expires=(\\d+)", "expires=9$1"));
        assertThat(longer.reason()).isEqualTo("url_signature_invalid");
        var unsigned = DevHttp.get(server.url() + "/files/dataset/data.txt");
        assertThat(unsigned.status()).isEqualTo(403);
        assertThat(unsigned.reason()).isEqualTo("url_signature_missing");
        var unknown = DevHttp.get(server.url() + "/nothing/here");
        assertThat(unknown.status()).isEqualTo(404);
        assertThat(unknown.reason()).isEqualTo("no_route");
    }

    @Test
    void shouldRefuseOversizedBodies() throws Exception {
        var hugeJson = post(SIGNED_GET_URL, "{\"pad\":\"" + "x".repeat(2 << 20) + "\"}");
        assertThat(hugeJson.status()).isEqualTo(413);
        assertThat(hugeJson.error()).contains("request body is larger than the server's limit");
        var hugeDataset =
                DevHttp.put(server.url() + "/api/v1/dev/dataset/big.txt", new byte[10_001]);
        assertThat(hugeDataset.status()).isEqualTo(413);
        assertThat(root.resolve("dataset/big.txt")).doesNotExist();
        // a part over the server's limit, through the real client
        StorageClient client =
                StorageClient.builder(URI.create(server.url()), node).partSize(1_001).build();
        Path file = Files.write(work.resolve("big.bin"), new byte[1_001]);
        assertThatThrownBy(() -> client.upload(JOB, file, ""))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(
                        "HTTP 413: part 1 is larger than the server's limit of 1000 bytes");
        var notJson = post(SIGNED_GET_URL, "{\"sig\": ");
        assertThat(notJson.status()).isEqualTo(400);
        assertThat(notJson.error()).startsWith("body is not valid JSON");
        assertThat(post(SIGNED_GET_URL, "[1,2]").error()).isEqualTo("body must be a JSON object");
    }

    @Test
    void shouldRefuseUnknownUploadsAndIncompleteOrWrongParts() throws Exception {
        String unknown = "0".repeat(32);
        var missingUpload =
                post(COMPLETE, complete(unknown, "[{\"ETag\":\"x\",\"PartNumber\":1}]"));
        assertThat(missingUpload.status()).isEqualTo(404);
        assertThat(missingUpload.error()).isEqualTo("unknown uploadId " + unknown);

        // Given an upload of 3 parts where only part 1 was PUT
        var urls =
                post(
                        PUT_URLS,
                        DevHttp.signed(
                                node,
                                JOB,
                                System.currentTimeMillis(),
                                "\"partNum\":3,\"extension\":\".pt\""));
        String uploadId = urls.json().get("uploadId").asText();
        String etag1 =
                DevHttp.put(urls.json().get("urls").get("0").asText(), new byte[] {1})
                        .response()
                        .headers()
                        .firstValue("ETag")
                        .orElseThrow();
        String q1 = DevHttp.JSON.writeValueAsString(etag1);
        // Then completion names what is wrong
        assertThat(
                        post(
                                        COMPLETE,
                                        complete(
                                                        uploadId,
                                                        "[{\"ETag\":" + q1 + ",\"PartNumber\":1}]")
                                                .replace("\"\"}", "\".pt\"}"))
                                .error())
                .isEqualTo("parts: PartNumber 2 is missing (the upload has 3)");
        String all =
                "[{\"ETag\":"
                        + q1
                        + ",\"PartNumber\":1},{\"ETag\":\"a\",\"PartNumber\":2},{\"ETag\":\"b\",\"PartNumber\":3}]";
        assertThat(post(COMPLETE, complete(uploadId, all).replace("\"\"}", "\".pt\"}")).error())
                .isEqualTo("part 2 was never uploaded; PUT it to its URL first");
        String reordered =
                "[{\"ETag\":\"a\",\"PartNumber\":2},{\"ETag\":" + q1 + ",\"PartNumber\":1}]";
        assertThat(
                        post(COMPLETE, complete(uploadId, reordered).replace("\"\"}", "\".pt\"}"))
                                .error())
                .contains("PartNumber 1 is missing");
        String wrongTag =
                "[{\"ETag\":\"\\\"beef\\\"\",\"PartNumber\":1},{\"ETag\":\"a\",\"PartNumber\":2},{\"ETag\":\"b\",\"PartNumber\":3}]";
        assertThat(
                        post(COMPLETE, complete(uploadId, wrongTag).replace("\"\"}", "\".pt\"}"))
                                .error())
                .startsWith("ETag of part 1 does not match the uploaded part");
        assertThat(post(COMPLETE, complete(uploadId, all)).error())
                .isEqualTo("extension '' does not match the upload's '.pt'");
        var outside =
                DevHttp.put(
                        urls.json().get("urls").get("0").asText().replace("/1?", "/4?"),
                        new byte[] {1});
        assertThat(outside.status()).isEqualTo(403); // the URL was signed for part 1 only
    }

    private String complete(String uploadId, String parts) {
        return "{\"jobId\":\""
                + JOB
                + "\",\"address\":\""
                + node.address()
                + "\",\"parts\":"
                + parts
                + ",\"uploadId\":\""
                + uploadId
                + "\",\"extension\":\"\"}";
    }

    private static String body(String sig, String address, String jobId, long time) {
        return "{\"sig\":\""
                + sig
                + "\",\"address\":\""
                + address
                + "\",\"jobId\":\""
                + jobId
                + "\",\"signedtime\":"
                + time
                + "}";
    }
}
