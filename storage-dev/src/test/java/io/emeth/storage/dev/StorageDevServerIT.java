package io.emeth.storage.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.storage.StorageClient;
import io.emeth.common.storage.StorageException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real {@link StorageClient} against the real dev server: the happy paths and a restart. */
class StorageDevServerIT {
    static final String JOB = "0x0123456789abcdef0123456789abcdef";

    @TempDir Path tmp;
    Path root;
    StorageDevServer server;
    NodeIdentity node = NodeIdentity.generate();

    @BeforeEach
    void start() throws Exception {
        root = tmp.resolve("storage");
        server = StorageDevServer.start(root, "127.0.0.1", 0);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    StorageClient client(long partSize) {
        return StorageClient.builder(URI.create(server.url()), node)
                .partSize(partSize)
                .backoff(Duration.ofMillis(10), Duration.ofMillis(50))
                .build();
    }

    static byte[] random(int size, long seed) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void shouldUploadAMultiPartFileAndDownloadItBackByteEqual() throws Exception {
        // Given a file of 4.5 parts
        byte[] content = random(4_500, 1);
        Path file = Files.write(tmp.resolve("model.pt"), content);
        StorageClient client = client(1_000);
        // When it is uploaded and fetched back by its fileName
        String fileName = client.upload(JOB, file, ".pt");
        Path back = tmp.resolve("back/model.pt");
        long bytes = client.download(JOB, fileName, back);
        // Then the bytes are equal, and the file was stored under result/
        assertThat(fileName).startsWith(JOB).endsWith(".pt");
        assertThat(bytes).isEqualTo(content.length);
        assertThat(Files.readAllBytes(back)).isEqualTo(content);
        assertThat(root.resolve("result").resolve(fileName)).hasBinaryContent(content);
    }

    @Test
    void shouldUploadEmptyAndExactMultipleFiles() throws Exception {
        StorageClient client = client(100);
        for (int size : new int[] {0, 1, 100, 300}) {
            byte[] content = random(size, size);
            Path file = Files.write(tmp.resolve("f" + size), content);
            String fileName = client.upload(JOB, file, "bin");
            Path back = tmp.resolve("b" + size);
            client.download(JOB, fileName, back);
            assertThat(Files.readAllBytes(back)).as("size %d", size).isEqualTo(content);
        }
    }

    @Test
    void shouldServeASeededDataSetToItsJobAndItsSize() throws Exception {
        // Given a data set seeded through the dev endpoint and bound to the job
        byte[] corpus = "the quick brown fox\n".repeat(500).getBytes();
        var seeded =
                DevHttp.put(server.url() + "/api/v1/dev/dataset/corpus.txt?jobId=" + JOB, corpus);
        assertThat(seeded.status()).isEqualTo(200);
        assertThat(seeded.json().get("size").asLong()).isEqualTo(corpus.length);
        StorageClient client = client(1_000);
        // Then its size and content are what was seeded
        assertThat(client.sizeOf("corpus.txt")).isEqualTo(corpus.length);
        Path target = tmp.resolve("data/corpus.txt");
        assertThat(client.download(JOB, target)).isEqualTo(corpus.length);
        assertThat(Files.readAllBytes(target)).isEqualTo(corpus);
    }

    @Test
    void shouldAskTheHookForAJobsDataSet() throws Exception {
        server.close();
        server =
                StorageDevServer.start(
                        root,
                        "127.0.0.1",
                        0,
                        StorageDevServer.Options.defaults()
                                .withJobDatasets(job -> java.util.Optional.of("from-chain.txt")));
        DevHttp.put(server.url() + "/api/v1/dev/dataset/from-chain.txt", new byte[] {1, 2, 3});
        Path target = tmp.resolve("x");
        assertThat(client(10).download(JOB, target)).isEqualTo(3);
    }

    @Test
    void shouldNameTheFixWhenAJobHasNoDataSet() {
        assertThatThrownBy(() -> client(10).download(JOB, tmp.resolve("x")))
                .isInstanceOf(StorageException.class)
                .hasMessageContaining(
                        "POST /api/v1/node/signed-get-url [jobId:" + JOB + "]: HTTP 404")
                .hasMessageContaining("PUT /api/v1/dev/jobs/" + JOB + "/dataset");
        assertThatThrownBy(() -> client(10).sizeOf("nothing.txt"))
                .hasMessageContaining("HTTP 404: no object with key 'dataset/nothing.txt'");
    }

    @Test
    void shouldAnswerTheSameFileWhenCompletionIsRetried() throws Exception {
        // Given an upload driven by hand, completed once
        var urls =
                DevHttp.post(
                        server.url() + "/api/v1/node/multipartUpload/getPutSignedUrls",
                        DevHttp.signed(
                                node,
                                JOB,
                                System.currentTimeMillis(),
                                "\"partNum\":0.4,\"extension\":\".zip\""));
        assertThat(urls.status()).as(urls.body()).isEqualTo(200);
        // the original client's unrounded partNum 0.4 means one part
        assertThat(urls.json().get("urls").size()).isEqualTo(1);
        String etag =
                DevHttp.put(urls.json().get("urls").get("0").asText(), new byte[] {7})
                        .response()
                        .headers()
                        .firstValue("ETag")
                        .orElseThrow();
        assertThat(etag).matches("\"[0-9a-f]{32}\"");
        String complete =
                "{\"jobId\":\""
                        + JOB
                        + "\",\"address\":\""
                        + node.address()
                        + "\",\"parts\":[{\"ETag\":"
                        + DevHttp.JSON.writeValueAsString(etag)
                        + ",\"PartNumber\":1}],\"uploadId\":\""
                        + urls.json().get("uploadId").asText()
                        + "\",\"extension\":\".zip\"}";
        var first =
                DevHttp.post(
                        server.url() + "/api/v1/node/multipartUpload/completeUpload", complete);
        // When the client retries the completion
        var second =
                DevHttp.post(
                        server.url() + "/api/v1/node/multipartUpload/completeUpload", complete);
        // Then both answer the same file
        assertThat(first.status()).as(first.body()).isEqualTo(200);
        assertThat(second.body()).isEqualTo(first.body());
        assertThat(first.json().get("fileName").asText())
                .isEqualTo(urls.json().get("fileName").asText());
    }

    @Test
    void shouldKeepFilesAndSignedUrlsValidAcrossARestart() throws Exception {
        // Given an uploaded file, a signed download URL for it and an upload in progress
        StorageClient client = client(1_000);
        byte[] content = random(2_500, 7);
        String fileName = client.upload(JOB, Files.write(tmp.resolve("m.pt"), content), ".pt");
        URI download = client.signedGetUrl(JOB, fileName);
        var pending =
                DevHttp.post(
                        server.url() + "/api/v1/node/multipartUpload/getPutSignedUrls",
                        DevHttp.signed(
                                node,
                                JOB,
                                System.currentTimeMillis(),
                                "\"partNum\":1,\"extension\":\"\""));
        int port = server.port();
        // When the server restarts on the same root and port
        server.close();
        server = StorageDevServer.start(root, "127.0.0.1", port);
        // Then the old URLs still work and the file is still there
        var got = DevHttp.send(java.net.http.HttpRequest.newBuilder(download).GET().build());
        assertThat(got.status()).isEqualTo(200);
        Path back = tmp.resolve("after-restart");
        client.download(JOB, fileName, back);
        assertThat(Files.readAllBytes(back)).isEqualTo(content);
        var part = DevHttp.put(pending.json().get("urls").get("0").asText(), new byte[] {1, 2});
        assertThat(part.status()).as(part.body()).isEqualTo(200);
    }

    @Test
    void shouldExpireSignedUrls() throws Exception {
        // Given a server whose clock the test moves
        server.close();
        DevHttp.MovableClock clock = new DevHttp.MovableClock();
        server =
                StorageDevServer.start(
                        root,
                        "127.0.0.1",
                        0,
                        StorageDevServer.Options.defaults()
                                .withClock(clock)
                                .withUrlTtl(Duration.ofMinutes(5)));
        StorageClient client =
                StorageClient.builder(URI.create(server.url()), node).clock(clock).build();
        String fileName = client.upload(JOB, Files.write(tmp.resolve("a"), new byte[] {1}), "");
        URI url = client.signedGetUrl(JOB, fileName);
        // When the URL's lifetime has passed
        clock.advanceSeconds(301);
        var answer = DevHttp.send(java.net.http.HttpRequest.newBuilder(url).GET().build());
        // Then it is refused
        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.reason()).isEqualTo("url_expired");
    }
}
