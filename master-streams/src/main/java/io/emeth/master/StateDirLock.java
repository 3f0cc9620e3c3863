package io.emeth.master;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a master's {@code state_dir}, held while the instance runs. Two instances on
 * one state folder would share the default {@code instance_id} (static membership fences one of
 * them in turn) and corrupt each other's stores; the second is refused at start instead, naming the
 * first. The operating system drops the lock when its process dies, also on SIGKILL, so a restart
 * never finds a stale one.
 */
final class StateDirLock implements AutoCloseable {
    static final String FILE = "emeth-master.lock";

    private final FileChannel channel;
    private final FileLock lock;

    private StateDirLock(FileChannel channel, FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Takes the lock of {@code stateDir} for the instance {@code instanceId}.
     *
     * @throws IllegalStateException naming the folder and the instance that holds it
     */
    static StateDirLock acquire(Path stateDir, String instanceId) {
        Path file = stateDir.toAbsolutePath().resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(file.getParent());
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException inThisJvm) {
                lock = null;
            }
            if (lock == null) {
                String holder = Files.readString(file, StandardCharsets.UTF_8).strip();
                channel.close();
                throw new IllegalStateException(
                        "another master instance runs on state_dir "
                                + stateDir.toAbsolutePath()
                                + " ("
                                + (holder.isEmpty() ? "unknown" : holder)
                                + "); each instance needs its own state_dir and instance_id");
            }
            String owner = "instance_id " + instanceId + ", pid " + ProcessHandle.current().pid();
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(owner.getBytes(StandardCharsets.UTF_8)), 0);
            channel.force(false);
            return new StateDirLock(channel, lock);
        } catch (IOException e) {
            closeQuietly(channel);
            throw new IllegalStateException(
                    "cannot lock state_dir " + stateDir.toAbsolutePath() + ": " + e.getMessage(),
                    e);
        }
    }

    @Override
    public void close() {
        try {
            lock.release();
        } catch (IOException e) {
            // the channel's close below releases it too
        }
        closeQuietly(channel);
    }

    private static void closeQuietly(FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // nothing held any more
            }
        }
    }
}
