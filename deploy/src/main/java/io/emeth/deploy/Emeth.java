package io.emeth.deploy;

import io.emeth.deploy.admin.AdminCommands;
import io.emeth.deploy.dev.DevCommand;
import io.emeth.deploy.model.ModelCommand;
import io.emeth.deploy.topics.TopicsCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The one launcher: {@code emeth <command>} starts any component of the node, runs the operator
 * commands of the original node and the local dev stack. No other module parses a command line.
 */
@Command(
        name = "emeth",
        mixinStandardHelpOptions = true,
        versionProvider = Emeth.Version.class,
        description =
                "emeth-node: the Emeth network's node software, an event-sourced pipeline on Kafka.",
        subcommands = {
            DevCommand.class,
            TopicsCommand.class,
            AdminCommands.Serve.class,
            AdminCommands.JobListCommand.class,
            AdminCommands.WithdrawCommand.class,
            AdminCommands.DeclineCommand.class,
            AdminCommands.JobCommand.class,
            WorkerCommand.class,
            IndexerCommand.class,
            MasterCommand.class,
            ModelCommand.class,
            CommandLine.HelpCommand.class
        })
public final class Emeth implements Runnable {

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The whole command tree, with operator errors reported as one line. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Emeth());
        cl.setExecutionExceptionHandler(new OperatorErrors());
        return cl;
    }

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }

    /** The version of the distribution, from the jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Emeth.class.getPackage().getImplementationVersion();
            return new String[] {
                "emeth-node " + (version == null ? "(development build)" : version)
            };
        }
    }
}
