package io.emeth.worker.training;

import ai.djl.Device;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads libtorch and trains one step of the tiny byte-level model on a thread of its own, so that a
 * (re)started worker pays the engine's first-use costs (the native library, PyTorch's operator
 * dispatch, autograd and OpenMP threads, DJL's training classes) while it fetches node-info and
 * connects to Kafka, not in its first round (recovery after a crash, issue #15). Then runs {@code
 * afterwards} (e.g. loading the model directories' tokenizers) on the same thread.
 *
 * <p>The thread holds {@link TorchEngine#LOCK} from before the device is known until its step is
 * done, so no job's training step, nor the dropout seed an epoch sets, interleaves with it: a job
 * that is ready first waits for the step (well under a second), and trains as it would have.
 */
public final class EngineWarmUp {
    private static final Logger log = LoggerFactory.getLogger(EngineWarmUp.class);
    private static final byte[] TEXT =
            "A restarted worker trains its first round without paying for a cold engine. "
                    .repeat(2)
                    .getBytes(StandardCharsets.UTF_8);

    private EngineWarmUp() {}

    /**
     * Starts the thread; the answer completes with the device of config {@code device} once the
     * engine is loaded, or exceptionally naming the key when the device is not there ({@link
     * DeviceSelection#parse(String)}).
     */
    public static CompletableFuture<Device> start(String device, Runnable afterwards) {
        CompletableFuture<Device> selected = new CompletableFuture<>();
        Thread thread = new Thread(() -> run(device, selected, afterwards), "worker-warm-up");
        thread.setDaemon(true);
        thread.start();
        return selected;
    }

    private static void run(String value, CompletableFuture<Device> selected, Runnable afterwards) {
        TorchEngine.LOCK.lock();
        try {
            Device device;
            try {
                device = DeviceSelection.parse(value);
            } catch (RuntimeException | Error e) {
                selected.completeExceptionally(e);
                return;
            }
            selected.complete(device);
            trainOneStep(device);
        } finally {
            TorchEngine.LOCK.unlock();
        }
        try {
            afterwards.run();
        } catch (RuntimeException e) {
            log.warn("Warm-up after the engine failed [error:{}]", e.toString());
        }
    }

    private static void trainOneStep(Device device) {
        long started = System.nanoTime();
        try (GptModel model = GptModel.create(GptConfig.tiny(), device)) {
            ShardTrainer trainer = new ShardTrainer(model);
            try {
                trainer.train(TEXT, 1, 1);
            } finally {
                trainer.close();
            }
            log.info(
                    "Engine warmed up [device:{}, ms:{}]",
                    device,
                    (System.nanoTime() - started) / 1_000_000);
        } catch (RuntimeException e) {
            // not fatal: the first round pays the engine's first-use costs instead
            log.warn("Engine warm-up failed [device:{}, error:{}]", device, e.toString());
        }
    }
}
