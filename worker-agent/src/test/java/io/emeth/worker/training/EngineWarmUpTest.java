package io.emeth.worker.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** The worker's start-up warm-up: device first, then a step under the engine lock, then more. */
class EngineWarmUpTest {

    @Test
    void shouldAnswerTheDeviceAndRunTheFollowUpAfterTheStepReleasedTheEngine() throws Exception {
        // Given a worker configured for the CPU
        CompletableFuture<Boolean> lockFreeAfterwards = new CompletableFuture<>();

        // When the warm-up runs
        CompletableFuture<Device> device =
                EngineWarmUp.start(
                        "cpu", () -> lockFreeAfterwards.complete(!TorchEngine.LOCK.isLocked()));

        // Then the device is the CPU, and the follow-up ran once the engine lock was free again
        assertThat(device.get(2, TimeUnit.MINUTES)).isEqualTo(Device.cpu());
        assertThat(lockFreeAfterwards.get(2, TimeUnit.MINUTES)).isTrue();
        // and a job's step can take the engine at once
        Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> !TorchEngine.LOCK.isLocked());
    }

    @Test
    void shouldFailNamingTheKeyWhenTheDeviceIsNotThere() {
        // Given a config asking for more GPUs than any machine here has
        CompletableFuture<Device> device = EngineWarmUp.start("cuda:9999", () -> {});

        // Then the answer fails as DeviceSelection does, naming the key, and the lock is released
        assertThatThrownBy(() -> device.get(2, TimeUnit.MINUTES))
                .isInstanceOf(ExecutionException.class)
                .cause()
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("device 'cuda:9999'");
        Awaitility.await().atMost(Duration.ofMinutes(1)).until(() -> !TorchEngine.LOCK.isLocked());
    }
}
