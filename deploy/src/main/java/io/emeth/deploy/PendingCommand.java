package io.emeth.deploy;

import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;

/**
 * The commands of the original node and the components whose issues have not landed yet: they are
 * listed in {@code --help} with what they will do, and say so plainly when run.
 */
final class PendingCommand implements Callable<Integer> {
    private record Pending(String name, int issue, String description) {}

    private static final List<Pending> PENDING =
            List.of(new Pending("master", 4, "Run the master: job matching and coordination."));

    private final Pending pending;

    private PendingCommand(Pending pending) {
        this.pending = pending;
    }

    static void register(CommandLine root) {
        for (Pending p : PENDING) {
            CommandSpec spec = CommandSpec.wrapWithoutInspection(new PendingCommand(p));
            spec.usageMessage().description(p.description());
            spec.mixinStandardHelpOptions(true);
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
