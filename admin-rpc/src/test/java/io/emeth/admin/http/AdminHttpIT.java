package io.emeth.admin.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.emeth.admin.Seeds;
import io.emeth.admin.access.BrowserGuard;
import io.emeth.admin.access.ClientAddresses;
import io.emeth.admin.access.Whitelist;
import io.emeth.admin.commands.CommandPublisher;
import io.emeth.admin.db.Database;
import io.emeth.admin.db.SinkSchema;
import io.emeth.admin.metrics.AdminMetrics;
import io.emeth.admin.read.ReadModel;
import io.emeth.admin.rpc.AdminMethods;
import io.emeth.admin.rpc.JsonRpcService;
import io.emeth.admin.sink.SinkFixtures;
import io.emeth.admin.support.ItKafka;
import io.emeth.admin.support.SocketHttp;
import io.emeth.admin.support.SocketHttp.Response;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.admin.AdminCommand;
import io.emeth.schemas.avro.admin.DisconnectWorker;
import io.emeth.schemas.avro.view.JobState;
import io.emeth.schemas.avro.view.WorkerState;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Functional tests of admin-rpc's HTTP side on a real Javalin server, a real SQLite database and
 * the real broker: every JSON-RPC method and error code, batches and notifications, the whitelists
 * from IPv4 and IPv6 addresses and at CIDR edges, and a fuzz of malformed bodies after which the
 * server still serves.
 */
class AdminHttpIT {
    private static final String OTHER_POOL = "0x1111111111111111111111111111111111111111";
    private static final String STRANGER = "0x2222222222222222222222222222222222222222";
    private static final String VICTIM = "0x4444444444444444444444444444444444444444";
    private static final String JOB = Seeds.jobId(1);
    private static final String RPC = AdminRoutes.JSON_RPC;

    private static ItKafka kafka;
    private static Database database;
    private static CommandPublisher commands;
    private static AdminMethods methods;
    private static final List<AutoCloseable> servers = new ArrayList<>();
    private static int port;

    @BeforeAll
    static void start() throws Exception {
        kafka = ItKafka.topics("admin-http");
        Path folder = Files.createTempDirectory("admin-http-it");
        database = Database.sqlite(folder.resolve("emeth.db"));
        SinkSchema.migrate(database);
        SinkFixtures.seed(
                database,
                Seeds.NODE,
                Seeds.job(JOB, JobState.PROCESSING, JobStatus.PROCESSING, 2.4, 2.1),
                Seeds.requested(Seeds.jobId(2)),
                Seeds.worker(Seeds.WORKER, Seeds.NODE, WorkerState.TRAINING),
                Seeds.worker(Seeds.WORKER_2, Seeds.NODE, WorkerState.DISCONNECTED),
                Seeds.worker(STRANGER, OTHER_POOL, WorkerState.IDLE),
                Seeds.worker(VICTIM, Seeds.NODE, WorkerState.TRAINING));
        commands = CommandPublisher.create(ItKafka.bootstrapServers(), Map.of(), kafka.catalog());
        methods = new AdminMethods(new ReadModel(database), commands, null, Seeds.NODE);
        port = server(List.of("127.0.0.1"), List.of("127.0.0.0/31"), List.of(), methods, database);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable server : servers) {
            server.close();
        }
        commands.close();
        database.close();
    }

    // ---- methods ---------------------------------------------------------------------------

    @Test
    void shouldDisconnectAKnownWorkerThroughTheMaster() {
        // When the operator disconnects a worker of the pool, as the original README shows
        JsonNode reply =
                rpc(
                        "{\"jsonrpc\": \"2.0\", \"method\": \"disconnect\", \"params\": {\"workerAddress\": \""
                                + Seeds.WORKER
                                + "\"}, \"id\": 1}");

        // Then it answers as the original did and a DisconnectWorker command is on admin-commands
        assertThat(reply.toString())
                .isEqualTo("{\"jsonrpc\":\"2.0\",\"result\":\"disconnected\",\"id\":1}");
        assertThat(disconnectsOf(Seeds.WORKER))
                .singleElement()
                .satisfies(c -> assertThat(c.getRequestedBy()).isEqualTo("json-rpc:127.0.0.1"));
    }

    @Test
    void shouldAnswerNotExistForAWorkerThePoolDoesNotHave() {
        for (String worker :
                List.of("0x3333333333333333333333333333333333333333", Seeds.WORKER_2, STRANGER)) {
            JsonNode reply =
                    rpc(
                            "{\"jsonrpc\":\"2.0\",\"method\":\"disconnect\",\"params\":[\""
                                    + worker
                                    + "\"],\"id\":\"a\"}");
            assertThat(reply.get("result").asText()).as(worker).isEqualTo("not exist");
            assertThat(disconnectsOf(worker)).as(worker).isEmpty();
        }
    }

    @Test
    void shouldRefuseAMalformedWorkerAddressNamingIt() {
        JsonNode reply =
                rpc(
                        "{\"jsonrpc\":\"2.0\",\"method\":\"disconnect\",\"params\":{\"workerAddress\":\"0xnot-an-address\"},\"id\":2}");
        assertError(reply, -32602, "workerAddress");
        assertThat(reply.at("/error/message").asText()).contains("0xnot-an-address");
    }

    @Test
    void shouldListThisNodesJobsWithTheOriginalColumns() {
        JsonNode reply = rpc("{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"id\":3}");
        assertThat(reply.get("result"))
                .singleElement()
                .satisfies(
                        job -> {
                            assertThat(job.get("jobId").asText()).isEqualTo(JOB);
                            assertThat(job.get("status").asText()).isEqualTo("PROCESSING");
                            assertThat(job.get("dataSizeMb").asLong()).isEqualTo(5);
                            assertThat(job.get("numAttempt").asInt()).isEqualTo(1);
                        });
    }

    @Test
    void shouldDescribeOneJob() {
        JsonNode job =
                rpc("{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":{\"jobId\":\""
                                + JOB.toUpperCase().replace("0X", "0x")
                                + "\"},\"id\":4}")
                        .get("result");
        assertThat(job.get("jobId").asText()).isEqualTo(JOB);
        assertThat(job.get("fee").asText()).isEqualTo("20000000000000000000");
        assertThat(job.get("feeEmt").asText()).isEqualTo("20");
        assertThat(job.get("losses")).hasSize(2);
        assertThat(job.get("contributions")).hasSize(1);
    }

    @Test
    void shouldAnswerNotFoundAndInvalidParamsForJobs() {
        assertError(
                rpc(
                        "{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":[\""
                                + Seeds.jobId(99)
                                + "\"],\"id\":5}"),
                -32001,
                "not found");
        assertError(
                rpc("{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":[\"0x12\"],\"id\":6}"),
                -32602,
                "jobId");
        assertError(
                rpc("{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"id\":7}"),
                -32602,
                "needs param 'jobId'");
    }

    @Test
    void shouldListWorkers() {
        JsonNode workers =
                rpc("{\"jsonrpc\":\"2.0\",\"method\":\"workers\",\"id\":8}").get("result");
        assertThat(workers).hasSize(4);
        assertThat(workers.findValuesAsText("address"))
                .contains(Seeds.WORKER, Seeds.WORKER_2, STRANGER);
    }

    @Test
    void shouldExplainThatWithdrawNeedsTheChain() {
        assertError(
                rpc("{\"jsonrpc\":\"2.0\",\"method\":\"withdraw\",\"id\":9}"),
                -32002,
                "no chain endpoint");
    }

    @Test
    void shouldAnswerAnInternalErrorWhenTheDatabaseIsGone() throws Exception {
        // Given a server whose database has been closed under it
        Database closed = Database.sqlite(Files.createTempDirectory("closed").resolve("x.db"));
        SinkSchema.migrate(closed);
        closed.close();
        int broken =
                server(
                        List.of("127.0.0.1"),
                        List.of("*"),
                        List.of(),
                        new AdminMethods(new ReadModel(closed), commands, null, Seeds.NODE),
                        closed);

        // When / Then
        JsonNode reply =
                SocketHttp.postJson(
                                "127.0.0.1",
                                "127.0.0.1",
                                broken,
                                RPC,
                                "{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"id\":10}")
                        .json();
        assertError(reply, -32603, "Internal error");
        assertThat(reply.at("/error/data/errorId").asText()).isNotBlank();
        Response health = SocketHttp.get("127.0.0.2", "127.0.0.1", broken, "/health", Map.of());
        assertThat(health.status()).isEqualTo(503);
        // and /health, open to anyone, says DOWN and nothing of the database's file or error
        assertThat(health.json().toString())
                .isEqualTo("{\"status\":\"DOWN\",\"checks\":{\"database\":\"DOWN\"}}");
    }

    // ---- protocol over HTTP -----------------------------------------------------------------

    @Test
    void shouldAnswerEachSpecErrorCodeOverHttp() {
        assertError(rpc("{\"jsonrpc\":\"2.0\",\"method\":"), -32700, "Parse error");
        assertError(rpc("{\"jsonrpc\":\"2.0\",\"params\":[],\"id\":1}"), -32600, "Invalid Request");
        assertError(
                rpc("{\"jsonrpc\":\"2.0\",\"method\":\"reboot\",\"id\":1}"),
                -32601,
                "Method not found");
        assertError(
                rpc("{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"params\":{\"x\":1},\"id\":1}"),
                -32602,
                "no param 'x'");
    }

    @Test
    void shouldAnswerABatchAndRunNotificationsSilently() {
        // Given a batch with a call, a disconnect notification and a bad request
        String batch =
                "[{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"id\":1},"
                        + "{\"jsonrpc\":\"2.0\",\"method\":\"disconnect\",\"params\":[\""
                        + Seeds.WORKER
                        + "\"]},"
                        + "{\"jsonrpc\":\"2.0\",\"method\":1,\"id\":2}]";
        int before = disconnectsOf(Seeds.WORKER).size();

        // When
        JsonNode reply = rpc(batch);

        // Then two answers, and the notification's disconnect was carried out
        assertThat(reply).hasSize(2);
        assertThat(reply.get(0).get("id").asInt()).isEqualTo(1);
        assertError(reply.get(1), -32600, "method must be a string");
        assertThat(disconnectsOf(Seeds.WORKER)).hasSize(before + 1);
    }

    @Test
    void shouldAnswerANotificationWithNoContent() {
        Response response =
                SocketHttp.postJson(
                        "127.0.0.1",
                        "127.0.0.1",
                        port,
                        RPC,
                        "{\"jsonrpc\":\"2.0\",\"method\":\"joblist\"}");
        assertThat(response.status()).isEqualTo(204);
        assertThat(response.body()).isEmpty();
    }

    // ---- whitelists ---------------------------------------------------------------------------

    @Test
    void shouldRefuseAnIpv4ClientOutsideTheWhitelistWithoutExecuting() {
        // When a client at 127.0.0.2 (not 127.0.0.1) sends a disconnect notification
        Response response =
                SocketHttp.postJson(
                        "127.0.0.2",
                        "127.0.0.1",
                        port,
                        RPC,
                        "{\"jsonrpc\":\"2.0\",\"method\":\"disconnect\",\"params\":[\""
                                + VICTIM
                                + "\"]}");

        // Then 401 with a JSON-RPC error naming the address and the whitelist, nothing published
        assertThat(response.status()).isEqualTo(401);
        assertError(response.json(), -32003, "127.0.0.2 is not in jsonrpc_whitelist");
        assertThat(response.json().at("/error/data/reason").asText()).isEqualTo("not_whitelisted");
        assertThat(response.json().get("id").isNull()).isTrue();
        assertThat(disconnectsOf(VICTIM)).isEmpty();
    }

    @Test
    void shouldRefuseAnIpv6ClientOutsideAnIpv4Whitelist() {
        Response response =
                SocketHttp.postJson(
                        "::1",
                        "::1",
                        port,
                        RPC,
                        "{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"id\":1}");
        assertThat(response.status()).isEqualTo(401);
        assertError(response.json(), -32003, "0:0:0:0:0:0:0:1 is not in jsonrpc_whitelist");
    }

    @Test
    void shouldAdmitAnIpv6ClientInAnIpv6Whitelist() throws Exception {
        int v6 = server(List.of("::1/128"), List.of("*"), List.of(), methods, database);
        assertThat(
                        SocketHttp.postJson(
                                        "::1",
                                        "::1",
                                        v6,
                                        RPC,
                                        "{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"id\":1}")
                                .status())
                .isEqualTo(200);
        assertThat(
                        SocketHttp.postJson(
                                        "127.0.0.1",
                                        "127.0.0.1",
                                        v6,
                                        RPC,
                                        "{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"id\":1}")
                                .status())
                .isEqualTo(401);
    }

    @Test
    void shouldApplyCidrRangesUpToTheirEdges() throws Exception {
        int cidr =
                server(
                        List.of("127.0.0.0/30", "localhost"),
                        List.of("*"),
                        List.of(),
                        methods,
                        database);
        String call = "{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"id\":1}";
        assertThat(SocketHttp.postJson("127.0.0.3", "127.0.0.1", cidr, RPC, call).status())
                .isEqualTo(200);
        assertThat(SocketHttp.postJson("127.0.0.4", "127.0.0.1", cidr, RPC, call).status())
                .isEqualTo(401);
        assertThat(SocketHttp.postJson("::1", "::1", cidr, RPC, call).status()).isEqualTo(200);
        // node-info follows worker_whitelist (127.0.0.0/31 on the main server)
        assertThat(
                        SocketHttp.get(
                                        "127.0.0.1",
                                        "127.0.0.1",
                                        port,
                                        AdminRoutes.NODE_INFO,
                                        Map.of())
                                .json()
                                .get("pool")
                                .asText())
                .isEqualTo(Seeds.NODE);
        assertThat(
                        SocketHttp.get(
                                        "127.0.0.2",
                                        "127.0.0.1",
                                        port,
                                        AdminRoutes.NODE_INFO,
                                        Map.of())
                                .status())
                .isEqualTo(401);
    }

    @Test
    void shouldIgnoreForwardedForUnlessFromATrustedProxy() throws Exception {
        String call = "{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"id\":1}";
        Map<String, String> spoofed =
                Map.of("Content-Type", "application/json", "X-Forwarded-For", "127.0.0.1");
        byte[] body = call.getBytes(StandardCharsets.UTF_8);
        // a client claiming to be 127.0.0.1 is still 127.0.0.2
        assertThat(
                        SocketHttp.send("127.0.0.2", "127.0.0.1", port, "POST", RPC, spoofed, body)
                                .status())
                .isEqualTo(401);
        // behind a trusted proxy at 127.0.0.2, the forwarded address counts
        int proxied =
                server(List.of("127.0.0.1"), List.of("*"), List.of("127.0.0.2"), methods, database);
        assertThat(
                        SocketHttp.send(
                                        "127.0.0.2",
                                        "127.0.0.1",
                                        proxied,
                                        "POST",
                                        RPC,
                                        spoofed,
                                        body)
                                .status())
                .isEqualTo(200);
        Map<String, String> outsider =
                Map.of("Content-Type", "application/json", "X-Forwarded-For", "198.51.100.7");
        assertThat(
                        SocketHttp.send(
                                        "127.0.0.2",
                                        "127.0.0.1",
                                        proxied,
                                        "POST",
                                        RPC,
                                        outsider,
                                        body)
                                .status())
                .isEqualTo(401);
        Map<String, String> garbage =
                Map.of("Content-Type", "application/json", "X-Forwarded-For", "not-an-ip");
        Response bad =
                SocketHttp.send("127.0.0.2", "127.0.0.1", proxied, "POST", RPC, garbage, body);
        assertThat(bad.status()).isEqualTo(400);
        assertError(bad.json(), -32600, "not-an-ip");
    }

    @Test
    void shouldServeHealthToAnyoneAndMetricsOnlyToTheWhitelist() {
        Response health = SocketHttp.get("127.0.0.2", "127.0.0.1", port, "/health", Map.of());
        assertThat(health.status()).isEqualTo(200);
        assertThat(health.json().get("status").asText()).isEqualTo("UP");
        rpc("{\"jsonrpc\":\"2.0\",\"method\":\"workers\",\"id\":1}");
        Response metrics = SocketHttp.get("127.0.0.1", "127.0.0.1", port, "/metrics", Map.of());
        assertThat(metrics.status()).isEqualTo(200);
        assertThat(metrics.text())
                .contains(
                        "emeth_rpc_requests_total{method=\"workers\",outcome=\"ok\",process=\"admin-rpc\"}");
        assertThat(metrics.text()).contains("jvm_memory_used_bytes");
        assertThat(SocketHttp.get("127.0.0.2", "127.0.0.1", port, "/metrics", Map.of()).status())
                .isEqualTo(401);
    }

    @Test
    void shouldServeTheReadApi() {
        assertThat(SocketHttp.get("127.0.0.1", "127.0.0.1", port, "/api/v1/jobs", Map.of()).json())
                .hasSize(2);
        assertThat(
                        SocketHttp.get(
                                        "127.0.0.1",
                                        "127.0.0.1",
                                        port,
                                        "/api/v1/jobs/" + JOB,
                                        Map.of())
                                .json()
                                .get("state")
                                .asText())
                .isEqualTo("PROCESSING");
        Response bad =
                SocketHttp.get("127.0.0.1", "127.0.0.1", port, "/api/v1/jobs/0xzz", Map.of());
        assertThat(bad.status()).isEqualTo(400);
        assertThat(bad.json().get("error").asText()).contains("0xzz");
        assertThat(SocketHttp.get("127.0.0.1", "127.0.0.1", port, "/nope", Map.of()).status())
                .isEqualTo(404);
        assertThat(SocketHttp.get("127.0.0.2", "127.0.0.1", port, "/nope", Map.of()).status())
                .isEqualTo(401);
        Response board = SocketHttp.get("127.0.0.1", "127.0.0.1", port, "/board", Map.of());
        assertThat(board.headers().get("content-security-policy")).contains("default-src 'self'");
    }

    // ---- web pages and read_whitelist ---------------------------------------------------------

    @Test
    void shouldRefuseJsonRpcUnderAHostNameADnsRebindingPageUses() {
        // Given an operator's browser on the node's own machine, on a page whose name now
        // resolves to 127.0.0.1, posting a disconnect as that page
        Response response = disconnectVictim(port, Map.of("Host", "rebind.attacker.example:80"));

        // Then 403 with a JSON-RPC error naming the host, and nothing published
        assertThat(response.status()).isEqualTo(403);
        assertError(response.json(), -32003, "Host 'rebind.attacker.example:80'");
        assertThat(response.json().at("/error/data/reason").asText()).isEqualTo("cross_origin");
        assertThat(disconnectsOf(VICTIM)).isEmpty();
    }

    @Test
    void shouldRefuseJsonRpcFromACrossSiteOrSameSitePage() {
        // A page on another port of localhost is the same site but not the same origin
        for (Map<String, String> browser :
                List.of(
                        Map.of("Origin", "http://127.0.0.1:8080"),
                        Map.of("Origin", "null"),
                        Map.of("Sec-Fetch-Site", "cross-site"),
                        Map.of("Sec-Fetch-Site", "same-site"))) {
            Response response = disconnectVictim(port, browser);
            assertThat(response.status()).as(browser.toString()).isEqualTo(403);
            assertError(response.json(), -32003, "a browser sent this request");
        }
        assertThat(disconnectsOf(VICTIM)).isEmpty();
        // while the node's own origin, and the operator typing the URL, still call
        String ownOrigin = "http://127.0.0.1:" + port;
        assertThat(joblistWith(port, Map.of("Origin", ownOrigin, "Sec-Fetch-Site", "same-origin")))
                .isEqualTo(200);
        assertThat(joblistWith(port, Map.of("Sec-Fetch-Site", "none"))).isEqualTo(200);
    }

    @Test
    void shouldAdmitJsonRpcUnderAConfiguredExtraHostName() throws Exception {
        int named =
                server(
                        List.of("127.0.0.1"),
                        List.of("127.0.0.1"),
                        List.of("*"),
                        List.of(),
                        List.of("node.example.org"),
                        methods,
                        database);
        assertThat(joblistWith(named, Map.of("Host", "node.example.org:5000"))).isEqualTo(200);
        assertThat(joblistWith(named, Map.of("Host", "other.example.org:5000"))).isEqualTo(403);
        // the read API is not guarded by host name: a proxy may publish the board under any
        assertThat(
                        SocketHttp.get(
                                        "127.0.0.1",
                                        "127.0.0.1",
                                        named,
                                        "/api/v1/jobs",
                                        Map.of("Host", "other.example.org"))
                                .status())
                .isEqualTo(200);
    }

    @Test
    void shouldLetTheReadWhitelistScrapeButNotCallJsonRpc() throws Exception {
        // Given a metrics scraper at 127.0.0.2 in read_whitelist only
        int split =
                server(
                        List.of("127.0.0.1"),
                        List.of("127.0.0.0/30"),
                        List.of("*"),
                        List.of(),
                        List.of(),
                        methods,
                        database);

        // Then it reads the board, the read API and the metrics
        for (String path : List.of("/metrics", "/api/v1/jobs", "/api/v1/joblist", "/board")) {
            assertThat(SocketHttp.get("127.0.0.2", "127.0.0.1", split, path, Map.of()).status())
                    .as(path)
                    .isEqualTo(200);
        }

        // But its disconnect is refused as a JSON-RPC error and nothing is published
        Response call =
                SocketHttp.postJson(
                        "127.0.0.2",
                        "127.0.0.1",
                        split,
                        RPC,
                        "{\"jsonrpc\":\"2.0\",\"method\":\"disconnect\",\"params\":[\""
                                + VICTIM
                                + "\"],\"id\":1}");
        assertThat(call.status()).isEqualTo(401);
        assertError(call.json(), -32003, "127.0.0.2 is not in jsonrpc_whitelist");
        assertThat(disconnectsOf(VICTIM)).isEmpty();
    }

    @Test
    void shouldKeepJsonRpcCallersOutOfTheReadApiWhenTheReadWhitelistIsNarrower() throws Exception {
        int split =
                server(
                        List.of("127.0.0.0/30"),
                        List.of("127.0.0.1"),
                        List.of("*"),
                        List.of(),
                        List.of(),
                        methods,
                        database);
        assertThat(
                        SocketHttp.postJson(
                                        "127.0.0.2",
                                        "127.0.0.1",
                                        split,
                                        RPC,
                                        "{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"id\":1}")
                                .status())
                .isEqualTo(200);
        Response metrics = SocketHttp.get("127.0.0.2", "127.0.0.1", split, "/metrics", Map.of());
        assertThat(metrics.status()).isEqualTo(401);
        assertThat(metrics.json().get("error").asText()).contains("not in read_whitelist");
    }

    // ---- fuzz ---------------------------------------------------------------------------------

    @Test
    void shouldAnswerSpecErrorsToMalformedBodiesAndKeepServing() throws Exception {
        List<String> hostile =
                new ArrayList<>(
                        List.of(
                                "",
                                "{",
                                "}",
                                "[",
                                "nul",
                                "{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"id\":1,}",
                                "{\"jsonrpc\":[],\"method\":{},\"id\":{}}",
                                "{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":[[[[[]]]]],\"id\":1}",
                                "{\"jsonrpc\":\"2.0\",\"method\":\"disconnect\",\"params\":{\"workerAddress\":12},\"id\":1}",
                                "{\"jsonrpc\":\"2.0\",\"method\":\"disconnect\",\"params\":{\"workerAddress\":\""
                                        + "a".repeat(200_000)
                                        + "\"},\"id\":1}",
                                "[" + "{},".repeat(99) + "{}]",
                                "\"\\ud800\"",
                                "1e999999",
                                "{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":"
                                        + "[".repeat(5_000)
                                        + "]".repeat(5_000)
                                        + ",\"id\":1}"));
        Random random = new Random(42);
        String valid =
                "{\"jsonrpc\":\"2.0\",\"method\":\"job\",\"params\":{\"jobId\":\""
                        + JOB
                        + "\"},\"id\":1}";
        for (int i = 0; i < 150; i++) {
            StringBuilder mutated = new StringBuilder(valid);
            for (int m = 0; m < 1 + random.nextInt(4); m++) {
                int at = random.nextInt(mutated.length());
                switch (random.nextInt(3)) {
                    case 0 -> mutated.deleteCharAt(at);
                    case 1 -> mutated.insert(at, (char) (random.nextInt(95) + 32));
                    default -> mutated.setCharAt(at, "{}[]\",:\\0".charAt(random.nextInt(9)));
                }
            }
            hostile.add(mutated.toString());
        }
        for (String body : hostile) {
            Response response = SocketHttp.postJson("127.0.0.1", "127.0.0.1", port, RPC, body);
            assertThat(response.status()).as(abbreviate(body)).isIn(200, 204);
            if (response.status() == 200) {
                JsonNode reply = response.json();
                for (JsonNode one : reply.isArray() ? reply : List.of(reply)) {
                    assertThat(one.get("jsonrpc").asText()).as(abbreviate(body)).isEqualTo("2.0");
                    if (one.has("error")) {
                        assertThat(one.at("/error/code").asInt())
                                .as(abbreviate(body))
                                .isIn(-32700, -32600, -32601, -32602, -32001);
                    }
                }
            }
        }
        // and the server still answers a good request
        assertThat(
                        rpc("{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"id\":\"still\"}")
                                .get("id")
                                .asText())
                .isEqualTo("still");
    }

    @Test
    void shouldAnswerInvalidRequestToA10MegabyteBody() throws Exception {
        byte[] huge =
                ("{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"params\":[\""
                                + "x".repeat(10 << 20)
                                + "\"],\"id\":1}")
                        .getBytes(StandardCharsets.UTF_8);

        // With a declared length
        Response declared =
                SocketHttp.send(
                        "127.0.0.1",
                        "127.0.0.1",
                        port,
                        "POST",
                        RPC,
                        Map.of("Content-Type", "application/json"),
                        huge);
        assertThat(declared.status()).isEqualTo(413);
        assertError(declared.json(), -32600, "over the limit of 1048576 bytes");

        // And chunked, without one
        HttpRequest request =
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + RPC))
                        .header("Content-Type", "application/json")
                        .POST(
                                HttpRequest.BodyPublishers.ofInputStream(
                                        () -> new ByteArrayInputStream(huge)))
                        .build();
        HttpResponse<String> chunked =
                HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.statusCode()).isEqualTo(413);
        assertThat(chunked.body()).contains("-32600");

        // And the server still serves
        assertThat(rpc("{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"id\":1}").has("result"))
                .isTrue();
    }

    @Test
    void shouldRefuseANonJsonContentTypeSoBrowsersCannotForgeCalls() {
        Response response =
                SocketHttp.send(
                        "127.0.0.1",
                        "127.0.0.1",
                        port,
                        "POST",
                        RPC,
                        Map.of("Content-Type", "text/plain"),
                        ("{\"jsonrpc\":\"2.0\",\"method\":\"disconnect\",\"params\":[\""
                                        + Seeds.WORKER
                                        + "\"],\"id\":1}")
                                .getBytes(StandardCharsets.UTF_8));
        assertThat(response.status()).isEqualTo(415);
        assertError(response.json(), -32600, "Content-Type must be application/json");
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static int server(
            List<String> rpc,
            List<String> worker,
            List<String> trusted,
            AdminMethods m,
            Database db)
            throws Exception {
        return server(rpc, rpc, worker, trusted, List.of(), m, db);
    }

    private static int server(
            List<String> rpc,
            List<String> read,
            List<String> worker,
            List<String> trusted,
            List<String> allowedHosts,
            AdminMethods m,
            Database db)
            throws Exception {
        PrometheusMeterRegistry meters = AdminMetrics.create();
        Map<String, Supplier<String>> health =
                Map.of("database", () -> db.isReachable() ? "up" : "unreachable: " + db);
        AdminHttpServer server =
                AdminHttpServer.start(
                        new AdminHttpServer.Settings(
                                null,
                                0,
                                Whitelist.parse("jsonrpc_whitelist", rpc),
                                Whitelist.parse("read_whitelist", read),
                                Whitelist.parse("worker_whitelist", worker),
                                new BrowserGuard("127.0.0.1", allowedHosts),
                                new ClientAddresses(Whitelist.parse("trusted_proxies", trusted)),
                                AdminHttpServer.DEFAULT_MAX_BODY_BYTES,
                                JsonNodeFactory.instance.objectNode().put("pool", Seeds.NODE),
                                health),
                        new JsonRpcService(m.methods(), meters),
                        new ReadModel(db),
                        meters);
        servers.add(server);
        return server.port();
    }

    /** A disconnect of {@link #VICTIM} from 127.0.0.1 (whitelisted) with extra headers. */
    private static Response disconnectVictim(int server, Map<String, String> headers) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.put("Content-Type", "application/json");
        String body =
                "{\"jsonrpc\":\"2.0\",\"method\":\"disconnect\",\"params\":[\""
                        + VICTIM
                        + "\"],\"id\":1}";
        return SocketHttp.send(
                "127.0.0.1",
                "127.0.0.1",
                server,
                "POST",
                RPC,
                all,
                body.getBytes(StandardCharsets.UTF_8));
    }

    private static int joblistWith(int server, Map<String, String> headers) {
        Map<String, String> all = new java.util.HashMap<>(headers);
        all.put("Content-Type", "application/json");
        return SocketHttp.send(
                        "127.0.0.1",
                        "127.0.0.1",
                        server,
                        "POST",
                        RPC,
                        all,
                        "{\"jsonrpc\":\"2.0\",\"method\":\"joblist\",\"id\":1}"
                                .getBytes(StandardCharsets.UTF_8))
                .status();
    }

    private static JsonNode rpc(String body) {
        Response response = SocketHttp.postJson("127.0.0.1", "127.0.0.1", port, RPC, body);
        assertThat(response.status()).as(response.text()).isEqualTo(200);
        assertThat(response.headers().get("content-type")).startsWith("application/json");
        return response.json();
    }

    private static List<AdminCommand> disconnectsOf(String worker) {
        return kafka.readAll(kafka.catalog().adminCommands()).stream()
                .filter(
                        c ->
                                c.getPayload() instanceof DisconnectWorker d
                                        && d.getWorker().equals(worker))
                .toList();
    }

    private static void assertError(JsonNode reply, int code, String messagePart) {
        assertThat(reply.at("/error/code").asInt()).as(reply.toString()).isEqualTo(code);
        assertThat(reply.at("/error/message").asText()).contains(messagePart);
    }

    private static String abbreviate(String body) {
        return body.length() < 120 ? body : body.substring(0, 117) + "...";
    }
}
