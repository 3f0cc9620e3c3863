package io.emeth.worker.training;

import ai.djl.engine.Engine;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The PyTorch engine, loaded so that it never downloads anything.
 *
 * <p>The native libtorch comes from the {@code pytorch-native-cpu} jar on the class path and is
 * unpacked once into {@code DJL_CACHE_DIR} (default {@code ~/.djl.ai}). Without {@code
 * ai.djl.offline=true} DJL would fetch a library from the internet when that jar is missing; a
 * worker must fail instead, with the cause in the log.
 *
 * <p>Run the JVM with {@code OMP_WAIT_POLICY=PASSIVE} on a machine whose cores are shared: measured
 * here under load, libtorch's OpenMP threads spin-waiting between kernels made a thread that trains
 * repeatedly 3–20× slower; with the passive policy every epoch ran at full speed.
 */
public final class TorchEngine {

    /** DJL's engine name for PyTorch. */
    public static final String NAME = "PyTorch";

    /**
     * Serialises engine work in this JVM: PyTorch allows one gradient collector per process, and
     * parameters must not be replaced while a step runs.
     */
    public static final ReentrantLock LOCK = new ReentrantLock();

    private TorchEngine() {}

    /** Runs engine work under the JVM-wide lock with autograd off for this thread. */
    public static <T> T locked(Supplier<T> work) {
        LOCK.lock();
        // Autograd mode is per thread in PyTorch and on by default outside the thread that loaded
        // the engine; in-place writes to parameters must not be recorded.
        boolean gradMode = JniUtils.isGradMode();
        try {
            JniUtils.setGradMode(false);
            return work.get();
        } finally {
            JniUtils.setGradMode(gradMode);
            LOCK.unlock();
        }
    }

    /** Loads (once) and returns the PyTorch engine, offline unless configured otherwise. */
    public static Engine get() {
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        return Engine.getEngine(NAME);
    }
}
