package io.emeth.admin.sink;

import io.emeth.admin.db.Database;
import io.emeth.admin.db.SinkSchema;
import io.emeth.schemas.Topics;
import io.emeth.schemas.registry.SerdeConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * The JDBC sink as a process of its own, for the crash IT: {@code bootstrap registry prefix group
 * maxPollRecords haltAfterBatch db…} where {@code db} is {@code sqlite <file>} or {@code mariadb
 * <jdbcUrl> <user> <password>}. With {@code haltAfterBatch} > 0 the JVM halts (exit 137, no
 * shutdown hooks, like SIGKILL) right after that batch's database commit, before its Kafka commit.
 */
public final class SinkProcessMain {
    public static final int HALT_STATUS = 137;

    private SinkProcessMain() {}

    public static void main(String[] args) throws Exception {
        String bootstrap = args[0];
        String registry = args[1];
        String prefix = args[2];
        String group = args[3];
        int maxPollRecords = Integer.parseInt(args[4]);
        int haltAfter = Integer.parseInt(args[5]);
        Database database =
                args[6].equals("sqlite")
                        ? Database.sqlite(Path.of(args[7]))
                        : Database.mariadb(args[7], args[8], args.length > 9 ? args[9] : "");
        SinkSchema.migrate(database);
        Topics topics = Topics.create(SerdeConfig.of(registry), prefix);
        SinkSettings settings =
                SinkSettings.of(bootstrap, "0xAb8483F64d9C6d1EcF9b849Ae677dD3315835cb2")
                        .withGroupId(group)
                        .withMaxPollRecords(maxPollRecords)
                        .withAfterDatabaseCommit(
                                batch -> {
                                    System.out.println("committed batch " + batch);
                                    if (batch == haltAfter) {
                                        System.out.println("halting after the database commit");
                                        System.out.flush();
                                        Runtime.getRuntime().halt(HALT_STATUS);
                                    }
                                });
        JdbcSink.start(database, topics, settings, new SimpleMeterRegistry());
        System.out.println("sink started");
        new CountDownLatch(1).await();
    }
}
