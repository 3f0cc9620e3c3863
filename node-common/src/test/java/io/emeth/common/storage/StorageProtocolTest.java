package io.emeth.common.storage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import io.emeth.common.eth.NodeIdentity;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The pure parts of the storage client: part maths, answer parsing, error and retry policy. */
class StorageProtocolTest {
    static final URI BASE = URI.create("http://storage:8090");
    static final String EP = "POST /x";

    static JsonNode json(String text) throws IOException {
        return StorageHttp.JSON.readTree(text);
    }

    @Test
    void shouldSplitFilesIntoPartsLikeTheOriginal() {
        assertThat(MultipartUploader.partCount(0, 10)).isEqualTo(1);
        assertThat(MultipartUploader.partCount(10, 10)).isEqualTo(1);
        assertThat(MultipartUploader.partCount(11, 10)).isEqualTo(2);
        assertThat(MultipartUploader.partCount(25_000_000, StorageApi.DEFAULT_PART_SIZE))
                .isEqualTo(3);
        assertThatThrownBy(() -> MultipartUploader.partCount(10_001, 1))
                .hasMessageContaining("more than the 10000 a multipart upload allows")
                .hasMessageContaining("raise the part size");
    }

    @Test
    void shouldNormalizeExtensions() {
        assertThat(MultipartUploader.normalizeExtension("zip")).isEqualTo(".zip");
        assertThat(MultipartUploader.normalizeExtension(".pt")).isEqualTo(".pt");
        assertThat(MultipartUploader.normalizeExtension(null)).isEmpty();
        assertThatThrownBy(() -> MultipartUploader.normalizeExtension("../../etc"))
                .hasMessageContaining("extension must be");
        assertThatThrownBy(() -> MultipartUploader.normalizeExtension(".tar.gz"))
                .hasMessageContaining("'.tar.gz'");
    }

    @Test
    void shouldReadPartUrlsKeyedFromZeroOrAsAnArray() throws Exception {
        var keyed =
                MultipartUploader.partUrls(
                        json("{\"urls\": {\"1\": \"/p/1\", \"0\": \"http://s3/p/0\"}}"),
                        2,
                        BASE,
                        EP,
                        "j");
        assertThat(keyed)
                .containsExactly(
                        URI.create("http://s3/p/0"), URI.create("http://storage:8090/p/1"));
        var array =
                MultipartUploader.partUrls(json("{\"urls\": [\"http://a/0\"]}"), 1, BASE, EP, "j");
        assertThat(array).containsExactly(URI.create("http://a/0"));
    }

    @Test
    void shouldRejectAnswersThatDoNotMatchTheRequest() {
        assertThatThrownBy(
                        () ->
                                MultipartUploader.partUrls(
                                        json("{\"urls\": {\"1\": \"http://a/1\"}}"),
                                        2,
                                        BASE,
                                        EP,
                                        "j"))
                .hasMessageContaining("POST /x [jobId:j]: HTTP 200: no URL for part index 0");
        assertThatThrownBy(
                        () ->
                                MultipartUploader.partUrls(
                                        json("{\"urls\": {\"0\": \"a\", \"1\": \"b\"}}"),
                                        1,
                                        BASE,
                                        EP,
                                        "j"))
                .hasMessageContaining("asked for 1 part URLs, got 2");
        assertThatThrownBy(
                        () ->
                                MultipartUploader.partUrls(
                                        json("{\"urls\": {\"0\": \"file:///etc/passwd\"}}"),
                                        1,
                                        BASE,
                                        EP,
                                        "j"))
                .hasMessageContaining("not an http(s) URL");
        assertThatThrownBy(() -> MultipartUploader.textField(json("{}"), "uploadId", EP, "j"))
                .hasMessageContaining("answer has no 'uploadId'");
    }

    @Test
    void shouldClassifyHttpErrorsAndKeepTheServersReason() throws Exception {
        StorageException unauthorized =
                StorageHttp.httpError(
                        EP, "0xjob", 401, stream("{\"error\": \"signature expired\"}"));
        assertThat(unauthorized.retryable()).isFalse();
        assertThat(unauthorized).hasMessage("POST /x [jobId:0xjob]: HTTP 401: signature expired");
        assertThat(StorageHttp.httpError(EP, null, 503, stream("busy")).retryable()).isTrue();
        assertThat(StorageHttp.httpError(EP, null, 429, stream("")).getMessage())
                .endsWith("HTTP 429: (no body)");
        assertThat(StorageHttp.httpError(EP, null, 500, stream("x".repeat(5000))).getMessage())
                .hasSizeLessThan(400);
    }

    @Test
    void shouldRetryRetryableFailuresAndStopAtTheLimit() throws Exception {
        Retrier retrier = new Retrier(3, Duration.ofMillis(1), Duration.ofMillis(2));
        AtomicInteger calls = new AtomicInteger();
        String answer =
                retrier.call(
                        EP,
                        "j",
                        n -> {
                            if (calls.incrementAndGet() < 3) {
                                throw new IOException("connection reset");
                            }
                            return "ok";
                        });
        assertThat(answer).isEqualTo("ok");
        assertThat(calls).hasValue(3);

        calls.set(0);
        assertThatThrownBy(
                        () ->
                                retrier.call(
                                        EP,
                                        "j",
                                        n -> {
                                            calls.incrementAndGet();
                                            throw StorageHttp.httpError(
                                                    EP, "j", 502, stream("bad gateway"));
                                        }))
                .isInstanceOf(StorageException.class)
                .hasMessage("POST /x [jobId:j]: HTTP 502: bad gateway (after 3 attempts)");
        assertThat(calls).hasValue(3);
    }

    @Test
    void shouldNotRetryClientErrors() {
        Retrier retrier = new Retrier(5, Duration.ofMillis(1), Duration.ofMillis(1));
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(
                        () ->
                                retrier.call(
                                        EP,
                                        "j",
                                        n -> {
                                            calls.incrementAndGet();
                                            throw StorageHttp.httpError(
                                                    EP,
                                                    "j",
                                                    404,
                                                    stream("{\"error\": \"no such data set\"}"));
                                        }))
                .hasMessage("POST /x [jobId:j]: HTTP 404: no such data set");
        assertThat(calls).hasValue(1);
    }

    @Test
    void shouldValidateClientInputs() {
        NodeIdentity id = NodeIdentity.generate();
        assertThatThrownBy(() -> StorageClient.builder(URI.create("ftp://x"), id))
                .hasMessageContaining("storageApi must be an http(s) URL");
        StorageClient client = StorageClient.builder(URI.create("http://h:1/base/"), id).build();
        assertThat(client.storageApi()).isEqualTo(URI.create("http://h:1/base"));
        assertThatThrownBy(() -> client.sizeOf("")).hasMessage("dataset is empty");
        assertThatThrownBy(() -> client.signedGetUrl("job\nid"))
                .hasMessageContaining("jobId must be at most 256 printable characters")
                .hasMessageContaining("job\\u000aid");
        assertThatThrownBy(() -> StorageClient.builder(BASE, id).partSize(0))
                .hasMessageContaining("partSize must be");
    }

    private static ByteArrayInputStream stream(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }
}
