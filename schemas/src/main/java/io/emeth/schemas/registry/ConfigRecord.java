package io.emeth.schemas.registry;

/**
 * One compatibility setting in a registry's durable log: the level of {@code subject}, or the
 * global level when {@code subject} is null; a null {@code level} removes a subject's own level.
 */
public record ConfigRecord(String subject, CompatibilityLevel level) {}
