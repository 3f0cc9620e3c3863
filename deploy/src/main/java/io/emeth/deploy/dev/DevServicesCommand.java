package io.emeth.deploy.dev;

import io.emeth.registry.SchemaRegistryServer;
import io.emeth.storage.dev.StorageDevServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The dev services JVM started by {@code emeth dev up}: the schema registry (its schemas kept in
 * Kafka) and the storage API dev server (files on local disk), until the process is stopped.
 */
@Command(
        name = "services",
        hidden = true,
        description = "Run the dev registry and storage server (used by dev up).")
final class DevServicesCommand implements Callable<Integer> {
    /** Identifies this process' command line in its pid file. */
    static final String MARKER = "dev services";

    @Option(names = "--bootstrap-servers", required = true)
    String bootstrapServers;

    @Option(names = "--registry-port", defaultValue = "8081")
    int registryPort;

    @Option(names = "--storage-port", defaultValue = "8090")
    int storagePort;

    @Option(names = "--storage-dir", required = true)
    Path storageDir;

    @Option(names = "--ethereum-endpoint", required = true)
    String ethereumEndpoint;

    @Option(names = "--emeth-contract", required = true)
    String emethContract;

    @Override
    public Integer call() throws Exception {
        CountDownLatch stopped = new CountDownLatch(1);
        SchemaRegistryServer registry =
                SchemaRegistryServer.start(bootstrapServers, "127.0.0.1", registryPort);
        StorageDevServer storage =
                StorageDevServer.start(
                        storageDir,
                        "127.0.0.1",
                        storagePort,
                        StorageDevServer.Options.defaults()
                                .withJobDatasets(
                                        new ChainJobDatasets(ethereumEndpoint, emethContract)));
        Runtime.getRuntime()
                .addShutdownHook(
                        new Thread(
                                () -> {
                                    storage.close();
                                    registry.close();
                                    stopped.countDown();
                                },
                                "dev-services-stop"));
        System.out.printf(
                "dev services up [registry:%s, storage:%s]%n", registry.url(), storage.url());
        stopped.await();
        return 0;
    }
}
