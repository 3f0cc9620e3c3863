package io.emeth.master.config;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * How this master instance is a member of the application's consumer group.
 *
 * <p>{@code instanceId} (key {@code instance_id}) is the Kafka static membership id ({@code
 * group.instance.id}): an instance that restarts with the same id takes its own tasks back at once,
 * where a new dynamic member waited until the broker expired the dead one's session (45 s by
 * default). It must be stable across restarts and unique per instance; the default, the host name
 * and a hash of the absolute {@code state_dir}, is both as long as no two instances share a state
 * folder (which the master refuses anyway, see {@code StateDirLock}).
 *
 * <p>{@code instances} (key {@code master_instances}) is how many instances share the {@code
 * application_id}. Above one, every task keeps a warm standby replica on another instance ({@code
 * num.standby.replicas} 1), so that when an instance dies for good its tasks move after the session
 * timeout to an instance that already holds their state, instead of restoring it from the
 * changelogs.
 */
public record Membership(String instanceId, int instances) {
    static final Pattern INSTANCE_ID = Pattern.compile("[A-Za-z0-9._-]{1,200}");

    /**
     * The consumer session timeout the master runs with (unless {@code kafka_properties} sets one).
     * With static membership it does not delay a restart (the restarted instance replaces its old
     * member at once), it bounds how long the tasks of an instance that died for good wait before
     * they move to another instance; 30 s outlasts a systemd restart (5 s back-off and a JVM start)
     * so that a bounce moves no task at all.
     */
    public static final Duration SESSION_TIMEOUT = Duration.ofSeconds(30);

    public Membership {
        Objects.requireNonNull(instanceId, "instanceId");
        if (!INSTANCE_ID.matcher(instanceId).matches()) {
            throw new IllegalArgumentException(
                    "instance_id may hold only letters, digits, '.', '_' and '-' (1 to 200), got '"
                            + instanceId
                            + "'");
        }
        if (instances < 1) {
            throw new IllegalArgumentException("master_instances must be at least 1");
        }
    }

    /** A single instance with the default id for {@code stateDir} on this host. */
    public static Membership single(Path stateDir) {
        return new Membership(defaultInstanceId(localHostName(), stateDir), 1);
    }

    /** {@code num.standby.replicas}: one warm copy of each task when other instances exist. */
    public int standbyReplicas() {
        return instances > 1 ? 1 : 0;
    }

    /**
     * The default instance id: {@code <host>-<first 8 hex digits of sha256(absolute state_dir)>},
     * the host name cut to the characters an id may hold. Stable while the host and the folder are;
     * two instances on one host differ by their state folders.
     */
    public static String defaultInstanceId(String host, Path stateDir) {
        String cleaned = host.replaceAll("[^A-Za-z0-9._-]", "-");
        if (cleaned.isEmpty()) {
            cleaned = "host";
        }
        if (cleaned.length() > 180) {
            cleaned = cleaned.substring(0, 180);
        }
        String folder = stateDir.toAbsolutePath().normalize().toString();
        return cleaned + "-" + sha256(folder).substring(0, 8);
    }

    /**
     * This machine's host name: the kernel's ({@code /proc/sys/kernel/hostname} on Linux, the same
     * whether a shell or systemd starts the master), else the resolver's.
     */
    public static String localHostName() {
        try {
            String kernel = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!kernel.isEmpty()) {
                return kernel.toLowerCase(Locale.ROOT);
            }
        } catch (IOException | RuntimeException e) {
            // not Linux: ask the resolver
        }
        try {
            return InetAddress.getLocalHost().getHostName().toLowerCase(Locale.ROOT);
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of()
                    .formatHex(
                            MessageDigest.getInstance("SHA-256")
                                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
