package io.emeth.admin.commands;

import io.emeth.schemas.CommandIds;
import io.emeth.schemas.Topic;
import io.emeth.schemas.Topics;
import io.emeth.schemas.avro.admin.AdminCommand;
import io.emeth.schemas.avro.admin.DisconnectWorker;
import io.emeth.schemas.avro.gateway.ChainAction;
import io.emeth.schemas.avro.gateway.ChainCommand;
import io.emeth.schemas.avro.gateway.DeclineJob;
import io.emeth.schemas.avro.gateway.WithdrawSlotReward;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Publishes what operators ask for: {@code DisconnectWorker} on {@code admin-commands} (the master
 * acts on it), and {@code DeclineJob} / {@code WithdrawSlotReward} on {@code chain-commands} (the
 * gateway, the account's single writer, sends the transaction). Nothing here talks to the chain.
 *
 * <p>Each send waits for the broker's acknowledgement, so a caller that returns "done" has its
 * command durably on the topic. Chain command ids are deterministic ({@code 0x} + sha256 of
 * subject, action and attempt or slot, as the master derives its own), so a repeated request is
 * recognised by the gateway instead of sending a second transaction.
 */
public final class CommandPublisher implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(CommandPublisher.class);
    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final Topics topics;
    private final KafkaProducer<byte[], byte[]> producer;

    private CommandPublisher(Topics topics, KafkaProducer<byte[], byte[]> producer) {
        this.topics = topics;
        this.producer = producer;
    }

    /** A publisher with an idempotent producer to {@code bootstrapServers}. */
    public static CommandPublisher create(
            String bootstrapServers, Map<String, String> kafkaProperties, Topics topics) {
        Map<String, Object> config = new HashMap<>(kafkaProperties);
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, (int) SEND_TIMEOUT.toMillis());
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 20_000);
        config.put(
                ProducerConfig.CLIENT_ID_CONFIG,
                "emeth-admin-commands-" + ProcessHandle.current().pid());
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return new CommandPublisher(topics, new KafkaProducer<>(config));
    }

    /** Asks the master to remove {@code worker} from its pool; returns the command id. */
    public String disconnectWorker(String worker, String requestedBy) {
        String commandId = UUID.randomUUID().toString();
        AdminCommand command =
                AdminCommand.newBuilder()
                        .setCommandId(commandId)
                        .setIssuedAt(now())
                        .setRequestedBy(requestedBy)
                        .setPayload(new DisconnectWorker(worker))
                        .build();
        send(topics.adminCommands(), worker, command);
        log.info(
                "Published DisconnectWorker [worker:{}, commandId:{}, requestedBy:{}]",
                worker,
                commandId,
                requestedBy);
        return commandId;
    }

    /** Asks the gateway to decline {@code jobId} (attempt {@code attempt}) for {@code account}. */
    public String declineJob(String account, String jobId, int attempt, String reason) {
        String commandId = CommandIds.of(jobId, ChainAction.DECLINE_JOB, Math.max(1, attempt));
        ChainCommand command =
                ChainCommand.newBuilder()
                        .setCommandId(commandId)
                        .setAccount(account)
                        .setIssuedAt(now())
                        .setPayload(new DeclineJob(jobId, reason))
                        .build();
        send(topics.chainCommands(), account, command);
        log.info(
                "Published DeclineJob [jobId:{}, account:{}, commandId:{}]",
                jobId,
                account,
                commandId);
        return commandId;
    }

    /** Asks the gateway to withdraw {@code account}'s reward of the closed {@code slot}. */
    public String withdrawSlotReward(String account, long slot, BigInteger expectedReward) {
        String commandId = CommandIds.of(account, ChainAction.WITHDRAW_SLOT_REWARD, slot);
        ChainCommand command =
                ChainCommand.newBuilder()
                        .setCommandId(commandId)
                        .setAccount(account)
                        .setIssuedAt(now())
                        .setPayload(
                                new WithdrawSlotReward(
                                        slot,
                                        expectedReward == null
                                                ? null
                                                : new BigDecimal(expectedReward)))
                        .build();
        send(topics.chainCommands(), account, command);
        log.info(
                "Published WithdrawSlotReward [slot:{}, account:{}, expectedWei:{}, commandId:{}]",
                slot,
                account,
                expectedReward,
                commandId);
        return commandId;
    }

    private <V> void send(Topic<String, V> topic, String key, V value) {
        byte[] keyBytes = topic.keySerde().serializer().serialize(topic.name(), key);
        byte[] valueBytes = topic.valueSerde().serializer().serialize(topic.name(), value);
        try {
            producer.send(new ProducerRecord<>(topic.name(), keyBytes, valueBytes))
                    .get(SEND_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing to " + topic.name(), e);
        } catch (ExecutionException | TimeoutException e) {
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new IllegalStateException(
                    "could not publish to "
                            + topic.name()
                            + ": "
                            + cause
                            + "; is Kafka reachable and does the topic exist (emeth topics create)?",
                    cause);
        }
    }

    private static Instant now() {
        return Instant.now();
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(10));
    }
}
