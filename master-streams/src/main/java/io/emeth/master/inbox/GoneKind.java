package io.emeth.master.inbox;

/**
 * Why a worker left a job before the job finished: it went silent (LOST), an operator removed it
 * (DISCONNECTED), it said it stops (LEFT), it overran a phase timeout (TIMED_OUT) or reported a
 * failure (FAILED). The first three become contribution status DISCONNECTED, the others FAILED.
 */
public enum GoneKind {
    LOST,
    DISCONNECTED,
    LEFT,
    TIMED_OUT,
    FAILED;

    /** Whether the worker itself is gone (not only its part of the job). */
    public boolean disconnects() {
        return this == LOST || this == DISCONNECTED || this == LEFT;
    }
}
