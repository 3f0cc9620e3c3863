package io.emeth.master.matching;

/** A free worker offered to the matcher, strongest first. */
public record Candidate(String worker, long powerCapacity) {}
