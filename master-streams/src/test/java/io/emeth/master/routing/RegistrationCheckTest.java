package io.emeth.master.routing;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.eth.Signatures;
import io.emeth.master.testing.TestConfigs;
import io.emeth.schemas.avro.worker.WorkerRegistered;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class RegistrationCheckTest {
    private static final long NOW = 1_900_000_000_000L;
    private final NodeIdentity worker = TestConfigs.worker(1);
    private final WorkerWhitelist anyone = WorkerWhitelist.of(List.of("*"));

    @Test
    void shouldAcceptAFreshSelfSignedRegistration() {
        assertThat(
                        RegistrationCheck.problem(
                                worker.address(),
                                reg(NOW - 1_000, sign(worker, NOW - 1_000)),
                                NOW,
                                anyone))
                .isNull();
    }

    @Test
    void shouldRefuseASignatureOfAnotherKey() {
        NodeIdentity other = TestConfigs.worker(2);
        assertThat(
                        RegistrationCheck.problem(
                                worker.address(), reg(NOW, sign(other, NOW)), NOW, anyone))
                .contains("forged")
                .contains(other.address());
    }

    @Test
    void shouldRefuseASignatureOverAnotherTimestamp() {
        assertThat(
                        RegistrationCheck.problem(
                                worker.address(), reg(NOW, sign(worker, NOW - 1)), NOW, anyone))
                .contains("forged");
    }

    @Test
    void shouldRefuseARawDigestSignatureThatIsNotEip191() {
        String raw = Signatures.signRawDigest(worker, Signatures.timestampDigest(NOW));
        assertThat(RegistrationCheck.problem(worker.address(), reg(NOW, raw), NOW, anyone))
                .contains("forged");
    }

    @Test
    void shouldRefuseStaleAndFutureTimestamps() {
        assertThat(
                        RegistrationCheck.problem(
                                worker.address(),
                                reg(NOW - 60_001, sign(worker, NOW - 60_001)),
                                NOW,
                                anyone))
                .contains("stale")
                .contains("60001 ms before it reached Kafka");
        assertThat(
                        RegistrationCheck.problem(
                                worker.address(),
                                reg(NOW + 60_001, sign(worker, NOW + 60_001)),
                                NOW,
                                anyone))
                .contains("in the future");
        assertThat(
                        RegistrationCheck.problem(
                                worker.address(),
                                reg(NOW + 60_000, sign(worker, NOW + 60_000)),
                                NOW,
                                anyone))
                .isNull();
    }

    @Test
    void shouldRefuseMalformedSignatures() {
        for (String bad :
                List.of(
                        "",
                        "0x",
                        "0x1234",
                        "0x" + "zz".repeat(65),
                        "0x" + "00".repeat(65),
                        "x".repeat(100_000))) {
            assertThat(RegistrationCheck.problem(worker.address(), reg(NOW, bad), NOW, anyone))
                    .as(bad.length() > 40 ? bad.substring(0, 40) : bad)
                    .contains("signature");
        }
    }

    @Test
    void shouldRefuseOutOfRangeValues() {
        String sig = sign(worker, NOW);
        assertThat(problem(regBuilder(NOW, sig).setPowerCapacity(-5))).contains("powerCapacity");
        assertThat(
                        problem(
                                regBuilder(NOW, sig)
                                        .setPowerCapacity(
                                                RegistrationCheck.MAX_POWER_CAPACITY + 1)))
                .contains("powerCapacity");
        assertThat(problem(regBuilder(NOW, sig).setDevice(""))).contains("device");
        assertThat(problem(regBuilder(NOW, sig).setDevice("c".repeat(65)))).contains("device");
        assertThat(problem(regBuilder(NOW, sig).setUrl("u".repeat(2_049)))).contains("url");
        assertThat(problem(regBuilder(NOW, sig).setHeartbeatIntervalMs(99L)))
                .contains("heartbeatIntervalMs");
        assertThat(problem(regBuilder(NOW, sig).setModels(java.util.List.of("../etc"))))
                .contains("models");
        assertThat(
                        problem(
                                regBuilder(NOW, sig)
                                        .setModels(java.util.Collections.nCopies(65, "gpt2"))))
                .contains("models");
        assertThat(problem(regBuilder(NOW, sig).setModels(java.util.List.of("gpt2-medium"))))
                .isNull();
    }

    @Test
    void shouldApplyTheAddressPartOfTheWhitelist() {
        String sig = sign(worker, NOW);
        WorkerWhitelist onlyOther =
                WorkerWhitelist.of(List.of("10.0.0.0/8", TestConfigs.worker(2).address()));
        WorkerWhitelist networksOnly = WorkerWhitelist.of(List.of("10.0.0.0/8", "localhost"));
        WorkerWhitelist listed = WorkerWhitelist.of(List.of(worker.address().toLowerCase()));
        assertThat(RegistrationCheck.problem(worker.address(), reg(NOW, sig), NOW, onlyOther))
                .contains("worker_whitelist");
        assertThat(RegistrationCheck.problem(worker.address(), reg(NOW, sig), NOW, networksOnly))
                .isNull();
        assertThat(RegistrationCheck.problem(worker.address(), reg(NOW, sig), NOW, listed))
                .isNull();
    }

    private String problem(WorkerRegistered.Builder reg) {
        return RegistrationCheck.problem(worker.address(), reg.build(), NOW, anyone);
    }

    private static String sign(NodeIdentity key, long at) {
        return Signatures.signTimestamp(key, at);
    }

    private static WorkerRegistered.Builder regBuilder(long signedAt, String signature) {
        return WorkerRegistered.newBuilder()
                .setPowerCapacity(100)
                .setDevice("cuda:0")
                .setUrl("http://10.0.0.7:3000")
                .setSignedAt(Instant.ofEpochMilli(signedAt))
                .setSignature(signature)
                .setHeartbeatIntervalMs(5_000L);
    }

    private static WorkerRegistered reg(long signedAt, String signature) {
        return regBuilder(signedAt, signature).build();
    }
}
