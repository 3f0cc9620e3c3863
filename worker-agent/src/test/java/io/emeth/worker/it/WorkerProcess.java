package io.emeth.worker.it;

import io.emeth.common.config.ConfigLoader;
import io.emeth.common.config.WorkerConfig;
import io.emeth.worker.WorkerAgent;
import io.emeth.worker.WorkerOptions;
import java.nio.file.Path;

/**
 * A worker in a process of its own, as {@code emeth worker -c <file>} starts it (the config file,
 * the launcher's default options), for measurements that must see one worker's memory alone: runs
 * until its standard input closes.
 */
public final class WorkerProcess {
    private WorkerProcess() {}

    public static void main(String[] args) throws Exception {
        WorkerConfig config =
                new ConfigLoader(System.getenv()).loadWorker(Path.of(args[0])).config();
        try (WorkerAgent agent = WorkerAgent.start(config, WorkerOptions.defaults())) {
            while (System.in.read() >= 0) {
                // the parent closes stdin to stop the worker
            }
        }
    }
}
