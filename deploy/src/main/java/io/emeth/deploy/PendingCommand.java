package io.emeth.deploy;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The commands of the original node and the components whose issues have not landed yet: they are
 * listed in {@code --help} with what they will do, and say so plainly when run.
 */
final class PendingCommand implements Callable<Integer> {
    private record Pending(String name, int issue, String description, String params) {}

    private static final List<Pending> PENDING =
            List.of(
                    new Pending(
                            "master",
                            4,
                            "Run the master: job matching and coordination (Kafka Streams).",
                            null),
                    new Pending(
                            "worker",
                            5,
                            "Run a worker: register, heartbeat and train assigned shards.",
                            null),
                    new Pending("indexer", 3, "Run the chain indexer and the chain gateway.", null),
                    new Pending(
                            "admin-rpc",
                            6,
                            "Run the JSON-RPC server, the job board and the JDBC sink.",
                            null),
                    new Pending(
                            "joblist",
                            6,
                            "List this node's jobs: id, status, size (MB), attempts.",
                            null),
                    new Pending(
                            "withdraw",
                            6,
                            "Withdraw the node's rewards of every closed reward slot.",
                            null),
                    new Pending(
                            "decline",
                            6,
                            "Decline one job, or every job this node is processing.",
                            "[jobId]"));

    private final Pending pending;

    private PendingCommand(Pending pending) {
        this.pending = pending;
    }

    static void register(CommandLine root) {
        for (Pending p : PENDING) {
            CommandSpec spec = CommandSpec.wrapWithoutInspection(new PendingCommand(p));
            spec.usageMessage().description(p.description());
            spec.mixinStandardHelpOptions(true);
            if (p.params() != null) {
                spec.addPositional(
                        PositionalParamSpec.builder()
                                .paramLabel(p.params())
                                .arity("0..1")
                                .type(String.class)
                                .build());
            }
            root.addSubcommand(p.name(), new CommandLine(spec));
        }
    }

    @Override
    public Integer call() {
        System.err.printf(
                "emeth %s: not yet available in this build (tracked by issue #%d)%n",
                pending.name(), pending.issue());
        return 3;
    }
}
