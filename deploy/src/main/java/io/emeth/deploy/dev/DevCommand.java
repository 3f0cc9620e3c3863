package io.emeth.deploy.dev;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code emeth dev}: the local stack on one machine, built from real parts. */
@Command(
        name = "dev",
        mixinStandardHelpOptions = true,
        description =
                "The local stack: Kafka (KRaft), anvil with the contracts, registry, storage.",
        subcommands = {
            DevCommand.Up.class,
            DevCommand.Down.class,
            DevCommand.Status.class,
            DevDemoCommand.class,
            DevRequestCommand.class,
            DevVerifyCommand.class,
            DevServicesCommand.class
        })
public final class DevCommand implements Runnable {
    @Override
    public void run() {
        new picocli.CommandLine(this).usage(System.out);
    }

    @Command(
            name = "up",
            mixinStandardHelpOptions = true,
            description = {
                "Start the local stack (or reuse what already runs) and print ready configs.",
                "Data lives under .emeth/ and survives `emeth dev down`."
            })
    static final class Up implements Runnable {
        @Mixin DevOptions options;

        @Override
        public void run() {
            StackLayout layout = StackLayout.fromEnvironment();
            System.out.println("Starting the emeth dev stack in " + layout.home() + " ...");
            StackState state = new LocalStack(layout, options, System.out).up();
            DevConfigs.write(layout, state, options.adminPort, System.out);
            System.out.println("The dev stack is up. Stop it with `./emeth dev down`.");
        }
    }

    @Command(
            name = "down",
            mixinStandardHelpOptions = true,
            description =
                    "Stop the local stack and the node processes of `dev demo`; data is kept.")
    static final class Down implements Runnable {
        @Override
        public void run() {
            StackLayout layout = StackLayout.fromEnvironment();
            List<String> stopped = new ArrayList<>(new NodeProcesses(layout).stopAll());
            stopped.addAll(new LocalStack(layout, new DevOptions(), System.out).down());
            System.out.println(
                    stopped.isEmpty()
                            ? "Nothing was running."
                            : "Stopped "
                                    + String.join(", ", stopped)
                                    + ". Data kept in "
                                    + layout.home());
        }
    }

    @Command(
            name = "status",
            mixinStandardHelpOptions = true,
            description = "Show which parts of the local stack run.")
    static final class Status implements Runnable {
        @Override
        public void run() {
            StackLayout layout = StackLayout.fromEnvironment();
            new LocalStack(layout, new DevOptions(), System.out)
                    .status()
                    .forEach(System.out::println);
            new NodeProcesses(layout).status().forEach(System.out::println);
        }
    }
}
