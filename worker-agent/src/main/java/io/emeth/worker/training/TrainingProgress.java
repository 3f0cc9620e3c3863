package io.emeth.worker.training;

/**
 * A snapshot of a running epoch, read by the heartbeat thread while training runs.
 *
 * @param epoch the epoch being trained (0 before the first)
 * @param batchesDone optimiser steps finished in this epoch
 * @param batchesTotal steps in this epoch
 * @param tokensDone predicted tokens trained on in this epoch
 * @param lastLoss loss of the last step, NaN before the first
 */
public record TrainingProgress(
        long epoch, int batchesDone, int batchesTotal, long tokensDone, double lastLoss) {

    /** Nothing trained yet. */
    public static final TrainingProgress IDLE = new TrainingProgress(0, 0, 0, 0, Double.NaN);

    /** Fraction of the epoch done, 0..1. */
    public double fraction() {
        return batchesTotal == 0 ? 0 : (double) batchesDone / batchesTotal;
    }
}
