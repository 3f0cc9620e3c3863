package io.emeth.contracts;

import io.emeth.contracts.generated.EmethCore;
import io.emeth.contracts.generated.EmethToken;
import java.io.IOException;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;
import org.web3j.abi.datatypes.Type;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.core.RemoteFunctionCall;
import org.web3j.protocol.core.methods.request.Transaction;
import org.web3j.protocol.core.methods.response.EthBlock;
import org.web3j.protocol.core.methods.response.EthCall;
import org.web3j.protocol.http.HttpService;
import org.web3j.protocol.websocket.WebSocketService;
import org.web3j.tx.ReadonlyTransactionManager;
import org.web3j.tx.gas.StaticGasProvider;

/**
 * Every read of EmethCore's state the node makes: {@code jobs}, {@code jobAssigns}, {@code
 * jobDetails}, the rates, the reward slots, and the EMT balance and allowance the gateway checks.
 * The gateway, the indexer's enrichment and the operator commands ({@code decline}, {@code
 * withdraw}) all read through here, so the network's ABI is decoded in one place.
 *
 * <p>Calls are {@code eth_call} at the latest block; this class cannot send a transaction. A call
 * the contract refuses (a revert, or no answer at all: a function the deployed contract lacks) is a
 * {@link CallRefusedException}, which retrying cannot cure; a transport failure is a plain {@link
 * IOException}. The rates and the token address are read once and cached: the network sets them at
 * deployment.
 */
public final class EmethCoreReader implements AutoCloseable {
    /** A job as {@code jobs(jobId)} returns it; an unknown job has {@code exists == false}. */
    public record Job(
            boolean exists,
            String jobId,
            String owner,
            long deadline,
            BigInteger fee,
            BigInteger statusCode,
            long requestedAt) {
        /** The status, or null when the contract uses a code this node does not know. */
        public JobStatus status() {
            return statusCode.bitLength() < 31 && statusCode.intValue() < JobStatus.values().length
                    ? JobStatus.fromCode(statusCode)
                    : null;
        }

        /** The status's name, or the raw code when it is not one this node knows. */
        public String statusName() {
            JobStatus status = status();
            return status == null ? "status " + statusCode : status.name();
        }

        public boolean hasStatus(JobStatus expected) {
            return expected == status();
        }
    }

    /** {@code jobAssigns(jobId)}: the node (zero address before {@code process}) and its stake. */
    public record Assignment(
            String node,
            BigInteger deposit,
            BigInteger gas,
            long startedAt,
            long submittedAt,
            long verifiedAt) {
        public static final String ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

        public boolean assigned() {
            return !ZERO_ADDRESS.equalsIgnoreCase(node);
        }

        public boolean assignedTo(String account) {
            return node.equalsIgnoreCase(account);
        }
    }

    /** {@code jobDetails(jobId)}: the requester's input and, once submitted, the result. */
    public record Details(BigInteger programId, String param, String dataset, String result) {}

    /** {@code slots(slot)}: the gas credited in a slot and the EMT (wei) it mints. */
    public record Slot(long slot, BigInteger totalGas, BigInteger totalReward) {}

    /** The contract refused a call (reverted, or has no such function): not worth a retry. */
    public static final class CallRefusedException extends IOException {
        private static final long serialVersionUID = 1L;

        public CallRefusedException(String message) {
            super(message);
        }
    }

    private static final BigInteger MAX_LONG = BigInteger.valueOf(Long.MAX_VALUE);

    /** Values {@code jobs(jobId)} and {@code jobAssigns(jobId)} return on the network. */
    private static final int JOB_OUTPUTS = 7;

    private static final int ASSIGNMENT_OUTPUTS = 6;

    /** Builds calldata and decoders for the static helpers; never sends (no connection). */
    private static final EmethCore ENCODER =
            EmethCore.load(
                    Assignment.ZERO_ADDRESS,
                    null,
                    new ReadonlyTransactionManager(null, Assignment.ZERO_ADDRESS),
                    new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));

    private final Web3j web3j;
    private final boolean ownsConnection;
    private final String coreAddress;
    private final String from;
    private final EmethCore core;
    private volatile ContractRates rates;
    private volatile String tokenAddress;

    private EmethCoreReader(Web3j web3j, boolean ownsConnection, String coreAddress, String from) {
        this.web3j = web3j;
        this.ownsConnection = ownsConnection;
        this.coreAddress = coreAddress;
        this.from = from;
        // encodes calldata and decodes answers only: calls go out through call() below
        this.core =
                EmethCore.load(
                        coreAddress,
                        web3j,
                        new ReadonlyTransactionManager(web3j, from),
                        new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
    }

    /** Reads the EmethCore at {@code coreAddress} as {@code from} (any address; views only). */
    public static EmethCoreReader of(Web3j web3j, String coreAddress, String from) {
        return new EmethCoreReader(web3j, false, coreAddress, from);
    }

    /**
     * As {@link #of} over a connection of its own to {@code endpoint} (http, https, ws or wss),
     * which {@link #close()} shuts down: for the operator commands and the master's start, which
     * read a few values.
     *
     * @throws IOException when a ws endpoint refuses the connection
     */
    public static EmethCoreReader open(String endpoint, String coreAddress, String from)
            throws IOException {
        if (endpoint.startsWith("http://") || endpoint.startsWith("https://")) {
            return new EmethCoreReader(
                    Web3j.build(new HttpService(endpoint)), true, coreAddress, from);
        }
        if (endpoint.startsWith("ws://") || endpoint.startsWith("wss://")) {
            WebSocketService ws = new WebSocketService(endpoint, false);
            try {
                ws.connect();
            } catch (java.net.ConnectException e) {
                throw new IOException("cannot connect to " + endpoint + ": " + e.getMessage(), e);
            }
            return new EmethCoreReader(Web3j.build(ws), true, coreAddress, from);
        }
        throw new IllegalArgumentException(
                "endpoint " + endpoint + ": expected an http(s) or ws(s) URL");
    }

    /** Shuts the connection down when {@link #open} made it; a shared one is left alone. */
    @Override
    public void close() {
        if (ownsConnection) {
            web3j.shutdown();
        }
    }

    public String coreAddress() {
        return coreAddress;
    }

    public Job job(String jobId) throws IOException {
        return job(call(core.jobs(JobIds.toBytes(jobId)), "jobs(" + jobId + ")", JOB_OUTPUTS));
    }

    public Assignment assignment(String jobId) throws IOException {
        return assignment(
                call(
                        core.jobAssigns(JobIds.toBytes(jobId)),
                        "jobAssigns(" + jobId + ")",
                        ASSIGNMENT_OUTPUTS));
    }

    /** The calldata of {@code jobs(jobId)}, for callers that batch many calls. */
    public static String jobCallData(String jobId) {
        return ENCODER.jobs(JobIds.toBytes(jobId)).encodeFunctionCall();
    }

    /**
     * Decodes what {@code jobs(jobId)} answered ({@code hex}), as {@link #job} does.
     *
     * @throws CallRefusedException when the answer is not seven values (not EmethCore)
     */
    public static Job decodeJob(String jobId, String hex) throws CallRefusedException {
        return job(
                decode(
                        ENCODER.jobs(JobIds.toBytes(jobId)),
                        hex,
                        "jobs(" + jobId + ")",
                        JOB_OUTPUTS,
                        null));
    }

    /** The calldata of {@code jobAssigns(jobId)}, for callers that batch many calls. */
    public static String assignmentCallData(String jobId) {
        return ENCODER.jobAssigns(JobIds.toBytes(jobId)).encodeFunctionCall();
    }

    /**
     * Decodes what {@code jobAssigns(jobId)} answered ({@code hex}), as {@link #assignment} does.
     *
     * @throws CallRefusedException when the answer is not six values (not EmethCore)
     */
    public static Assignment decodeAssignment(String jobId, String hex)
            throws CallRefusedException {
        return assignment(
                decode(
                        ENCODER.jobAssigns(JobIds.toBytes(jobId)),
                        hex,
                        "jobAssigns(" + jobId + ")",
                        ASSIGNMENT_OUTPUTS,
                        null));
    }

    @SuppressWarnings("rawtypes")
    private static Job job(List<Type> out) {
        return new Job(
                (Boolean) out.get(0).getValue(),
                JobIds.toHex((byte[]) out.get(1).getValue()),
                (String) out.get(2).getValue(),
                seconds(out.get(3)),
                uint(out.get(4)),
                uint(out.get(5)),
                seconds(out.get(6)));
    }

    @SuppressWarnings("rawtypes")
    private static Assignment assignment(List<Type> out) {
        return new Assignment(
                (String) out.get(0).getValue(),
                uint(out.get(1)),
                uint(out.get(2)),
                seconds(out.get(3)),
                seconds(out.get(4)),
                seconds(out.get(5)));
    }

    public Details details(String jobId) throws IOException {
        return decodeDetails(
                jobId,
                value(send(coreAddress, jobDetailsCallData(jobId)), "jobDetails(" + jobId + ")"));
    }

    /** The calldata of {@code jobDetails(jobId)}, for callers that batch many calls. */
    public static String jobDetailsCallData(String jobId) {
        return detailsCall(jobId).encodeFunctionCall();
    }

    /**
     * Decodes what {@code jobDetails(jobId)} answered ({@code hex}).
     *
     * @throws CallRefusedException when the answer is not four values (not EmethCore)
     */
    public static Details decodeDetails(String jobId, String hex) throws CallRefusedException {
        List<Type> out = decode(detailsCall(jobId), hex, "jobDetails(" + jobId + ")", 4, null);
        return new Details(
                uint(out.get(0)),
                (String) out.get(1).getValue(),
                (String) out.get(2).getValue(),
                (String) out.get(3).getValue());
    }

    /** The deployment's rates, read on the first call and cached. */
    public ContractRates rates() throws IOException {
        ContractRates cached = rates;
        if (cached == null) {
            cached =
                    new ContractRates(
                            uintCall(core.DEPOSIT_RATE(), "DEPOSIT_RATE()"),
                            uintCall(core.DECLINE_PENALTY_RATE(), "DECLINE_PENALTY_RATE()"),
                            uintCall(core.TIMEOUT_PENALTY_RATE(), "TIMEOUT_PENALTY_RATE()"),
                            uintCall(core.FAILED_PENALTY_RATE(), "FAILED_PENALTY_RATE()"),
                            uintCall(core.MAX_SLOT_GAS_PER_NODE(), "MAX_SLOT_GAS_PER_NODE()"),
                            uintCall(core.VERIFIER_FEE(), "VERIFIER_FEE()"));
            rates = cached;
        }
        return cached;
    }

    /** The EMT token the contract pays in ({@code emtToken()}), read once. */
    public String tokenAddress() throws IOException {
        String cached = tokenAddress;
        if (cached == null) {
            cached = (String) call(core.emtToken(), "emtToken()", 1).get(0).getValue();
            tokenAddress = cached;
        }
        return cached;
    }

    /** The open reward slot: the chain's day number ({@code block.timestamp / 86400}). */
    public long currentSlot() throws IOException {
        return uintCall(core.currentSlot(), "currentSlot()").longValueExact();
    }

    public Slot slot(long slot) throws IOException {
        List<Type> out = call(core.slots(BigInteger.valueOf(slot)), "slots(" + slot + ")", 2);
        return new Slot(slot, uint(out.get(0)), uint(out.get(1)));
    }

    /** Gas {@code node} earned in {@code slot} (kept after a withdrawal). */
    public BigInteger slotGas(long slot, String node) throws IOException {
        return uintCall(
                core.slotGas(BigInteger.valueOf(slot), node),
                "slotGas(" + slot + ", " + node + ")");
    }

    /** Gas of {@code node} in {@code slot} not yet withdrawn; a withdrawal sets it to 0. */
    public BigInteger slotBalance(long slot, String node) throws IOException {
        return uintCall(
                core.slotBalances(BigInteger.valueOf(slot), node),
                "slotBalances(" + slot + ", " + node + ")");
    }

    /** True when nothing is left to withdraw for {@code node} in {@code slot}. */
    public boolean slotWithdrawn(long slot, String node) throws IOException {
        return slotBalance(slot, node).signum() == 0;
    }

    public long nodeSlotCount(String node) throws IOException {
        return uintCall(core.nodeSlotCount(node), "nodeSlotCount(" + node + ")").longValueExact();
    }

    /** The {@code index}-th slot in which {@code node} earned gas. */
    public long nodeSlot(String node, long index) throws IOException {
        return uintCall(
                        core.nodeSlots(node, BigInteger.valueOf(index)),
                        "nodeSlots(" + node + ", " + index + ")")
                .longValueExact();
    }

    /** EMT balance of {@code account}, in wei. */
    public BigInteger emtBalance(String account) throws IOException {
        return uint(
                call(
                                tokenAddress(),
                                token().balanceOf(account),
                                "EMT balanceOf(" + account + ")",
                                1)
                        .get(0));
    }

    /** What EmethCore may pull from {@code owner}, in wei. */
    public BigInteger allowance(String owner) throws IOException {
        return uint(
                call(
                                tokenAddress(),
                                token().allowance(owner, coreAddress),
                                "EMT allowance(" + owner + ", EmethCore)",
                                1)
                        .get(0));
    }

    /** Timestamp of the latest block, the contract's "now", in seconds. */
    public long latestTimestamp() throws IOException {
        EthBlock answer = web3j.ethGetBlockByNumber(DefaultBlockParameterName.LATEST, false).send();
        if (answer.hasError() || answer.getBlock() == null) {
            throw new IOException(
                    "eth_getBlockByNumber latest failed: "
                            + (answer.hasError() ? answer.getError().getMessage() : "no block"));
        }
        return clamp(answer.getBlock().getTimestamp());
    }

    private EmethToken token() throws IOException {
        return EmethToken.load(
                tokenAddress(),
                web3j,
                new ReadonlyTransactionManager(web3j, from),
                new StaticGasProvider(BigInteger.ZERO, BigInteger.ZERO));
    }

    private BigInteger uintCall(RemoteFunctionCall<?> call, String what) throws IOException {
        return uint(call(call, what, 1).get(0));
    }

    private List<Type> call(RemoteFunctionCall<?> call, String what, int outputs)
            throws IOException {
        return call(coreAddress, call, what, outputs);
    }

    private List<Type> call(String to, RemoteFunctionCall<?> call, String what, int outputs)
            throws IOException {
        return decode(call, value(send(to, call.encodeFunctionCall()), what), what, outputs, to);
    }

    private EthCall send(String to, String data) throws IOException {
        return web3j.ethCall(
                        Transaction.createEthCallTransaction(from, to, data),
                        DefaultBlockParameterName.LATEST)
                .send();
    }

    /** The answer's value; a revert is refused, any other JSON-RPC error is transient. */
    private static String value(EthCall answer, String what) throws IOException {
        if (answer.hasError()) {
            var error = answer.getError();
            String message = error.getMessage() == null ? "" : error.getMessage();
            if (error.getCode() == 3 || message.toLowerCase(Locale.ROOT).contains("revert")) {
                String reason = RevertData.reason(error.getData());
                throw new CallRefusedException(
                        what
                                + " reverted: "
                                + (reason != null ? reason : RevertData.clip(message)));
            }
            throw new IOException(what + " failed: " + RevertData.clip(message));
        }
        return answer.getValue();
    }

    @SuppressWarnings({"rawtypes", "unchecked"})
    private static List<Type> decode(
            RemoteFunctionCall<?> call, String hex, String what, int outputs, String to)
            throws CallRefusedException {
        List<Type> out;
        try {
            out = hex == null ? List.of() : call.decodeFunctionResponse(hex);
        } catch (RuntimeException e) {
            throw new CallRefusedException(
                    what + " answer cannot be decoded: " + RevertData.clip(e.toString()));
        }
        if (out.size() != outputs) {
            throw new CallRefusedException(
                    what
                            + " answered "
                            + out.size()
                            + " values instead of "
                            + outputs
                            + (to == null ? "" : " from " + to)
                            + ": is that the contract the node expects (a function it lacks, or"
                            + " no contract at the address)?");
        }
        return out;
    }

    private static RemoteFunctionCall<?> detailsCall(String jobId) {
        return ENCODER.jobDetails(JobIds.toBytes(jobId));
    }

    private static BigInteger uint(Type<?> value) {
        return (BigInteger) value.getValue();
    }

    private static long seconds(Type<?> value) {
        return clamp(uint(value));
    }

    private static long clamp(BigInteger value) {
        return value.compareTo(MAX_LONG) > 0 ? Long.MAX_VALUE : value.longValueExact();
    }
}
