package io.emeth.master.inbox;

/** One worker of a job's attempt: its rank (0 aggregates) and the power capacity it brings. */
public record Member(String worker, int rank, long powerCapacity) {}
