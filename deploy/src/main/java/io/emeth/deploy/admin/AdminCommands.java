package io.emeth.deploy.admin;

import io.emeth.admin.AdminOptions;
import io.emeth.admin.AdminRpc;
import io.emeth.admin.cli.Decline;
import io.emeth.admin.cli.JobList;
import io.emeth.admin.cli.JobStatusReport;
import io.emeth.admin.cli.Withdraw;
import io.emeth.deploy.MasterConfigOption;
import io.emeth.deploy.OperatorException;
import io.emeth.master.config.MasterStreamsConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The operator commands of the original node, and the admin-rpc process, for the launcher. */
public final class AdminCommands {
    private AdminCommands() {}

    /** Runs an operator action, turning its bad-input errors into one-line messages. */
    static int operator(Callable<Integer> action) throws Exception {
        try {
            return action.call();
        } catch (IllegalArgumentException e) {
            throw new OperatorException(e.getMessage(), e);
        }
    }

    @Command(
            name = "admin-rpc",
            mixinStandardHelpOptions = true,
            description = {
                "Run the JSON-RPC server, the job board, the read API and the JDBC sink.",
                "Listens on the config's my_url; stops on SIGTERM."
            })
    public static final class Serve implements Callable<Integer> {
        @Mixin MasterConfigOption config;

        @Option(
                names = "--trusted-proxy",
                paramLabel = "<address|cidr>",
                description = {
                    "A reverse proxy whose X-Forwarded-For is believed (repeatable; an address or"
                            + " a CIDR range).",
                    "Without one the header is ignored and the whitelists see the peer address."
                })
        List<String> trustedProxies = new ArrayList<>();

        @Option(
                names = "--bind",
                paramLabel = "<host>",
                description =
                        "Listen on this address only (default: every interface, on my_url's port).")
        String bindHost;

        @Option(
                names = "--no-sink",
                description =
                        "Do not run the JDBC sink (a second, read-only admin-rpc on the same database).")
        boolean noSink;

        @Override
        public Integer call() throws Exception {
            return operator(
                    () -> {
                        MasterStreamsConfig node = config.loadWithStreamsKeys();
                        // node-info hands the prefix on to the workers
                        AdminRpc.run(
                                node.master(),
                                AdminOptions.defaults()
                                        .withTopicPrefix(node.topicPrefix())
                                        .withTrustedProxies(trustedProxies)
                                        .withBindHost(bindHost)
                                        .withRunSink(!noSink));
                        return 0;
                    });
        }
    }

    @Command(
            name = "joblist",
            mixinStandardHelpOptions = true,
            description = "List this node's jobs: id, status, size (MB), attempts.")
    public static final class JobListCommand implements Callable<Integer> {
        @Mixin MasterConfigOption config;

        @Override
        public Integer call() throws Exception {
            return operator(() -> JobList.run(config.loadWithStreamsKeys().master(), System.out));
        }
    }

    @Command(
            name = "withdraw",
            mixinStandardHelpOptions = true,
            description =
                    "Withdraw the node's rewards of every closed reward slot (through the gateway).")
    public static final class WithdrawCommand implements Callable<Integer> {
        @Mixin MasterConfigOption config;

        @Override
        public Integer call() throws Exception {
            MasterStreamsConfig node = config.loadWithStreamsKeys();
            return operator(() -> Withdraw.run(node.master(), node.topicPrefix(), System.out));
        }
    }

    @Command(
            name = "decline",
            mixinStandardHelpOptions = true,
            description =
                    "Decline one job, or every job this node is processing (through the gateway).")
    public static final class DeclineCommand implements Callable<Integer> {
        @Mixin MasterConfigOption config;

        @Parameters(
                arity = "0..1",
                paramLabel = "jobId",
                description = "The job to decline (0x + 32 hex).")
        String jobId;

        @Override
        public Integer call() throws Exception {
            MasterStreamsConfig node = config.loadWithStreamsKeys();
            return operator(
                    () -> Decline.run(node.master(), jobId, node.topicPrefix(), System.out));
        }
    }

    @Command(
            name = "job",
            mixinStandardHelpOptions = true,
            description = "Inspect one job.",
            subcommands = JobCommand.Status.class)
    public static final class JobCommand implements Runnable {
        @Override
        public void run() {
            new picocli.CommandLine(this).usage(System.out);
        }

        @Command(
                name = "status",
                mixinStandardHelpOptions = true,
                description = "Show a job's status, workers and losses.")
        static final class Status implements Callable<Integer> {
            @Mixin MasterConfigOption config;

            @Parameters(paramLabel = "jobId", description = "The job (0x + 32 hex).")
            String jobId;

            @Override
            public Integer call() throws Exception {
                return operator(
                        () ->
                                JobStatusReport.run(
                                        config.loadWithStreamsKeys().master(), jobId, System.out));
            }
        }
    }
}
