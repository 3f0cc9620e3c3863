package io.emeth.testkit;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Stops the shared in-JVM Kafka cluster when the JUnit launcher session closes, that is after the
 * last test of the fork and before the JVM's shutdown hooks run (see {@link
 * KafkaTestCluster#shared()} for why the order matters). Registered through {@code
 * META-INF/services}.
 */
public final class SharedClusterCloser implements LauncherSessionListener {
    @Override
    public void launcherSessionClosed(LauncherSession session) {
        KafkaTestCluster.closeShared();
    }
}
