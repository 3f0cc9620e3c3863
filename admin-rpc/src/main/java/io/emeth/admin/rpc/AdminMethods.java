package io.emeth.admin.rpc;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.emeth.admin.commands.CommandPublisher;
import io.emeth.admin.read.ReadModel;
import io.emeth.admin.read.ViewJson;
import io.emeth.admin.read.Views.WorkerRow;
import io.emeth.admin.rewards.RewardWithdrawal;
import io.emeth.common.eth.Addresses;
import io.emeth.contracts.JobIds;
import java.io.IOException;
import java.math.BigInteger;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * The node's JSON-RPC methods, as the original README documents {@code disconnect} and with the
 * read methods operators asked for: {@code disconnect} ({@code workerAddress}) answers {@code
 * "disconnected"} after publishing a {@code DisconnectWorker} command the master acts on, or {@code
 * "not exist"} for a worker the pool does not have; {@code joblist}; {@code job} ({@code jobId});
 * {@code workers}; {@code withdraw} (every closed reward slot, through the gateway).
 *
 * <p>The read methods need only the database; {@code disconnect} and {@code withdraw} need the
 * Kafka producer and the chain reader, which a restarted admin-rpc opens while it already serves
 * reads: until they are ready those two answer −32002 (try again).
 */
public final class AdminMethods {
    public static final String DISCONNECTED = "disconnected";
    public static final String NOT_EXIST = "not exist";

    /** Worker states in which the pool no longer has the worker. */
    private static final Set<String> GONE = Set.of("DISCONNECTED", "LEFT", "REJECTED");

    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;

    private final ReadModel read;
    private final CompletableFuture<CommandPublisher> commands;
    private final CompletableFuture<RewardWithdrawal> withdrawal;
    private final String pool;

    /**
     * @param withdrawal the withdraw logic, or null when this process has no chain access (then
     *     {@code withdraw} answers −32002)
     * @param pool this master's pool (account): {@code disconnect} only removes its workers; null
     *     accepts any pool
     */
    public AdminMethods(
            ReadModel read, CommandPublisher commands, RewardWithdrawal withdrawal, String pool) {
        this(
                read,
                CompletableFuture.completedFuture(commands),
                CompletableFuture.completedFuture(withdrawal),
                pool);
    }

    /**
     * Methods whose write side is still starting: {@code disconnect} and {@code withdraw} answer
     * −32002 until {@code commands} and {@code withdrawal} complete (the latter with null when this
     * process has no chain access).
     */
    public AdminMethods(
            ReadModel read,
            CompletableFuture<CommandPublisher> commands,
            CompletableFuture<RewardWithdrawal> withdrawal,
            String pool) {
        this.read = read;
        this.commands = commands;
        this.withdrawal = withdrawal;
        this.pool = pool;
    }

    /** The methods by name. */
    public Map<String, RpcMethod> methods() {
        return Map.of(
                "disconnect", this::disconnect,
                "joblist", (params, caller) -> joblist(params),
                "job", (params, caller) -> job(params),
                "workers", (params, caller) -> workers(params),
                "withdraw", (params, caller) -> withdraw(params));
    }

    private JsonNode disconnect(RpcParams params, RpcCaller caller) throws Exception {
        String given = params.expect("workerAddress").requiredString("workerAddress", 0);
        String worker;
        try {
            worker = Addresses.checksummed(given.strip());
        } catch (IllegalArgumentException e) {
            throw RpcException.invalidParams("workerAddress: " + e.getMessage());
        }
        Optional<WorkerRow> row = read.worker(worker);
        boolean inPool =
                row.isPresent()
                        && !GONE.contains(row.get().state())
                        && (pool == null || pool.equalsIgnoreCase(row.get().pool()));
        if (!inPool) {
            return TextNode.valueOf(NOT_EXIST);
        }
        ready(commands, "the Kafka producer")
                .disconnectWorker(worker, "json-rpc:" + caller.address());
        return TextNode.valueOf(DISCONNECTED);
    }

    private JsonNode joblist(RpcParams params) throws Exception {
        params.expect();
        return ViewJson.jobList(read.jobList());
    }

    private JsonNode job(RpcParams params) throws Exception {
        String given = params.expect("jobId").requiredString("jobId", 0);
        String jobId;
        try {
            jobId = JobIds.normalize(given);
        } catch (IllegalArgumentException e) {
            throw RpcException.invalidParams("jobId: " + e.getMessage());
        }
        return read.job(jobId)
                .<JsonNode>map(ViewJson::job)
                .orElseThrow(
                        () ->
                                new RpcException(
                                        RpcException.NOT_FOUND,
                                        "job "
                                                + jobId
                                                + " not found; the node has no record of it"
                                                + " (joblist lists this node's jobs)",
                                        JSON.objectNode().put("jobId", jobId)));
    }

    private JsonNode workers(RpcParams params) throws Exception {
        params.expect();
        return ViewJson.workers(read.workers());
    }

    private JsonNode withdraw(RpcParams params) throws Exception {
        params.expect();
        RewardWithdrawal withdrawal = ready(this.withdrawal, "the chain reader");
        if (withdrawal == null) {
            throw new RpcException(
                    RpcException.UNAVAILABLE, "withdraw is not available: no chain endpoint");
        }
        RewardWithdrawal.Result result;
        try {
            result = withdrawal.run();
        } catch (IOException e) {
            throw new RpcException(
                    RpcException.UNAVAILABLE,
                    "the chain endpoint cannot be reached: " + e.getMessage() + "; try again");
        }
        return withdrawResult(result);
    }

    private static <T> T ready(CompletableFuture<T> part, String what) throws RpcException {
        if (!part.isDone()) {
            throw new RpcException(
                    RpcException.UNAVAILABLE,
                    "admin-rpc is starting: "
                            + what
                            + " is not ready yet; try again in a few seconds");
        }
        if (part.isCompletedExceptionally()) {
            throw new RpcException(
                    RpcException.UNAVAILABLE,
                    what + " failed to start; admin-rpc is stopping (see its log)");
        }
        return part.join();
    }

    /** The JSON of a withdrawal run, shared with the CLI's {@code --json}. */
    public static ObjectNode withdrawResult(RewardWithdrawal.Result result) {
        ObjectNode node = JSON.objectNode();
        ArrayNode list = node.putArray("withdrawals");
        BigInteger total = BigInteger.ZERO;
        for (RewardWithdrawal.Requested r : result.requested()) {
            BigInteger reward = r.withdrawal().reward();
            total = total.add(reward);
            list.addObject()
                    .put("slot", r.withdrawal().slot())
                    .put("reward", reward.toString())
                    .put("rewardEmt", ViewJson.emt(reward.toString()))
                    .put("commandId", r.commandId());
        }
        node.put("total", total.toString());
        node.put("totalEmt", ViewJson.emt(total.toString()));
        node.put("nextIndex", result.nextIndex());
        node.put("currentSlot", result.currentSlot());
        return node;
    }
}
