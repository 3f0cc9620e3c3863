package io.emeth.worker.training;

import ai.djl.engine.Engine;

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

    private TorchEngine() {}

    /** Loads (once) and returns the PyTorch engine, offline unless configured otherwise. */
    public static Engine get() {
        if (System.getProperty("ai.djl.offline") == null && System.getenv("DJL_OFFLINE") == null) {
            System.setProperty("ai.djl.offline", "true");
        }
        return Engine.getEngine(NAME);
    }
}
