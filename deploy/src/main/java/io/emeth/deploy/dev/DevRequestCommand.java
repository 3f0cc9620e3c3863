package io.emeth.deploy.dev;

import io.emeth.contracts.EmethRules;
import io.emeth.contracts.dev.DevAccounts;
import io.emeth.contracts.dev.DevChain;
import io.emeth.deploy.demo.DemoCorpus;
import io.emeth.deploy.demo.DemoRequester;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.http.HttpService;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code emeth dev request}: the dev requester (account 4) requests a training job on the running
 * dev stack, with the bundled corpus or a file of the operator's.
 */
@Command(
        name = "request",
        mixinStandardHelpOptions = true,
        description = "Request a training job on the dev stack as the dev requester (account 4).")
final class DevRequestCommand implements Callable<Integer> {
    @Option(
            names = "--fee",
            defaultValue = "20",
            description = "Fee in whole EMT (default: ${DEFAULT-VALUE}).")
    long fee;

    @Option(
            names = "--epochs",
            defaultValue = "2",
            description = "Epochs (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(
            names = "--deadline-hours",
            defaultValue = "24",
            description = "Deadline from now (default: ${DEFAULT-VALUE} h).")
    long deadlineHours;

    @Option(
            names = "--data",
            description = "A UTF-8 text file (default: the bundled English corpus).")
    Path data;

    @Option(
            names = "--language",
            defaultValue = "en",
            description = "en or ja (default: ${DEFAULT-VALUE}).")
    String language;

    @Override
    public Integer call() throws Exception {
        StackLayout layout = StackLayout.fromEnvironment();
        StackState state = StackState.require(layout);
        byte[] bytes = data == null ? DemoCorpus.english() : Files.readAllBytes(data);
        String dataset = data == null ? "demo-corpus-en" : data.getFileName().toString();
        Web3j web3j = Web3j.build(new HttpService(state.ethereumEndpoint()));
        try {
            DevChain.Deployment deployment = state.deployment();
            long deadline = DevChain.latestTimestamp(web3j) + deadlineHours * 3600;
            String jobId =
                    new DemoRequester(
                                    web3j,
                                    deployment,
                                    DevAccounts.requester(),
                                    URI.create(state.storageApi()))
                            .request(
                                    new DemoRequester.JobRequest(
                                            dataset,
                                            bytes,
                                            EmethRules.emt(fee),
                                            epochs,
                                            language,
                                            deadline));
            System.out.println(jobId);
            return 0;
        } finally {
            web3j.shutdown();
        }
    }
}
