package io.emeth.master.matching;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.master.avro.MasterSerde;
import io.emeth.master.inbox.JobPlan;
import io.emeth.master.inbox.Member;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.master.PoolJobState;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

/**
 * {@link PoolJobSerde} writes, byte for byte, what {@link MasterSerde} writes for the same job
 * (random jobs, every field away from its default, odd strings and numbers, a job written again
 * after its reservation changed), reads back what it wrote, refuses what Avro refuses, and refuses
 * to start on a schema it does not encode.
 */
class PoolJobSerdeTest {
    private static final String CHANGELOG = "emeth-master-pool-jobs-store-changelog";
    private static final String[] ODD = {
        "", "0xw", "é", "日本語", "emoji \uD83D\uDE00", "a|b", "\u0000", "x".repeat(300)
    };

    private final Topics topics = TestConfigs.mockTopics();
    private final MasterSerde<PoolJob> avro =
            MasterSerde.of(topics, PoolJob.class, PoolJobState.class);
    private final PoolJobSerde serde = PoolJobSerde.of(topics);

    @Test
    void shouldWriteTheBytesOfTheAvroSerdeForRandomJobs() {
        Random random = new Random(7);
        for (int i = 0; i < 2_000; i++) {
            // Given a random job
            PoolJob job = randomJob(random);

            // When both write it, then its reservation changes and both write it again
            byte[] fast = serde.serializer().serialize(CHANGELOG, job);
            byte[] reference = avro.serializer().serialize(CHANGELOG, job);
            assertThat(fast).as("job %d", i).isEqualTo(reference);
            job.members = members(random);
            job.released = strings(random);
            job.pendingKey = random.nextBoolean() ? null : string(random);
            job.active = !job.active;
            assertThat(serde.serializer().serialize(CHANGELOG, job))
                    .as("job %d written again", i)
                    .isEqualTo(avro.serializer().serialize(CHANGELOG, job));

            // Then what it wrote reads back as the job
            PoolJob back = serde.deserializer().deserialize(CHANGELOG, fast);
            assertThat(back.members).isNotNull();
        }
    }

    @Test
    void shouldReadBackAJobWithEveryFieldSet() {
        PoolJob job = randomJob(new Random(1));
        job.plan = plan(new Random(2), "0xj");
        serde.serializer().serialize(CHANGELOG, new PoolJob()); // the first goes through Avro

        PoolJob back =
                serde.deserializer()
                        .deserialize(CHANGELOG, serde.serializer().serialize(CHANGELOG, job));

        assertThat(back)
                .usingRecursiveComparison()
                .ignoringFields("key", "planAvro", "planAvroOf")
                .isEqualTo(job);
    }

    @Test
    void shouldRefuseAFeeLongerThanTheSchemaHoldsAsAvroDoes() {
        // Given a job whose fee has 79 digits
        PoolJob job = randomJob(new Random(3));
        job.plan = new JobPlan("0xj", BigInteger.TEN.pow(78), 1, 2, 3, "d", 0, 1, "en", 5, 6);
        serde.serializer().serialize(CHANGELOG, new PoolJob());

        // Then both refuse it, naming the topic
        assertThatThrownBy(() -> avro.serializer().serialize(CHANGELOG, job))
                .isInstanceOf(SerializationException.class);
        assertThatThrownBy(() -> serde.serializer().serialize(CHANGELOG, job))
                .isInstanceOf(SerializationException.class)
                .hasMessageContaining(CHANGELOG)
                .hasMessageContaining("decimal(78, 0)");
    }

    @Test
    void shouldRefuseASchemaItDoesNotWrite() {
        // Given PoolJobState with one more field at the end
        String json = PoolJobState.getClassSchema().toString();
        Schema grown =
                new Schema.Parser()
                        .parse(
                                json.substring(0, json.length() - 2)
                                        + ",{\"name\":\"more\",\"type\":\"int\",\"default\":0}]}");

        assertThat(PoolJobSerde.shape(PoolJobState.getClassSchema())).isEqualTo(PoolJobSerde.SHAPE);
        assertThatThrownBy(() -> PoolJobSerde.checkShape(grown))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("more:int")
                .hasMessageContaining("update PoolJobSerde");
    }

    private static PoolJob randomJob(Random random) {
        PoolJob job =
                new PoolJob(
                        random.nextInt(10) == 0 ? null : plan(random, string(random)),
                        random.nextInt());
        job.active = random.nextBoolean();
        job.attempt = number(random);
        job.members = members(random);
        job.processSent = random.nextBoolean();
        job.pendingKey = random.nextBoolean() ? null : string(random);
        job.replanOf = number(random);
        job.replanEpochs = number(random);
        job.excluded = strings(random);
        job.released = strings(random);
        return job;
    }

    private static JobPlan plan(Random random, String jobId) {
        BigInteger fee = new BigInteger(1 + random.nextInt(258), random);
        if (random.nextInt(5) == 0) {
            fee = fee.negate();
        }
        if (random.nextInt(20) == 0) {
            fee = BigInteger.TEN.pow(78).subtract(BigInteger.ONE); // the most the schema holds
        }
        return new JobPlan(
                jobId,
                fee,
                bigNumber(random),
                bigNumber(random),
                bigNumber(random),
                string(random),
                bigNumber(random),
                number(random),
                string(random),
                bigNumber(random),
                bigNumber(random));
    }

    private static List<Member> members(Random random) {
        List<Member> members = new ArrayList<>();
        for (int i = random.nextInt(9); i > 0; i--) {
            members.add(new Member(string(random), number(random), bigNumber(random)));
        }
        return members;
    }

    private static List<String> strings(Random random) {
        List<String> out = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            out.add(string(random));
        }
        return out;
    }

    private static String string(Random random) {
        return random.nextBoolean()
                ? "0x" + Long.toHexString(random.nextLong())
                : ODD[random.nextInt(ODD.length)];
    }

    private static int number(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt(10);
            case 1 -> random.nextBoolean() ? Integer.MIN_VALUE : Integer.MAX_VALUE;
            default -> random.nextInt();
        };
    }

    private static long bigNumber(Random random) {
        return switch (random.nextInt(4)) {
            case 0 -> random.nextInt(200);
            case 1 -> random.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE;
            default -> random.nextLong() >> random.nextInt(64);
        };
    }
}
