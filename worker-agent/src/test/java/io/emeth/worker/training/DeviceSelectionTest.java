package io.emeth.worker.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class DeviceSelectionTest {

    @Test
    void shouldParseTheOriginalConfigValues() {
        assertThat(DeviceSelection.parse("cpu", 0)).isEqualTo(Device.cpu());
        assertThat(DeviceSelection.parse(" CPU ", 0)).isEqualTo(Device.cpu());
        assertThat(DeviceSelection.parse("cuda", 2)).isEqualTo(Device.gpu(0));
        assertThat(DeviceSelection.parse("cuda:1", 2)).isEqualTo(Device.gpu(1));
    }

    @Test
    void shouldRefuseCudaWithoutAGpuNamingTheKey() {
        assertThatThrownBy(() -> DeviceSelection.parse("cuda", 0))
                .hasMessageStartingWith("device 'cuda' asks for a CUDA GPU but PyTorch sees none")
                .hasMessageContaining("\"device\": \"cpu\"");
        assertThatThrownBy(() -> DeviceSelection.parse("cuda:0", 0))
                .hasMessageStartingWith("device 'cuda:0'");
        assertThatThrownBy(() -> DeviceSelection.parse("cuda:2", 2))
                .hasMessage("device 'cuda:2' asks for GPU 2 but PyTorch sees 2 (cuda:0..cuda:1)");
    }

    @Test
    void shouldRefuseAnythingElseNamingKeyAndAcceptedValues() {
        for (String bad :
                new String[] {
                    "gpu",
                    "cuda:",
                    "cuda:-1",
                    "cuda:x",
                    "cuda:99999",
                    "mps",
                    "cpu:0",
                    "cuda: 1",
                    "\u0000",
                    "c".repeat(100_000)
                }) {
            assertThatThrownBy(() -> DeviceSelection.parse(bad, 8))
                    .as(bad.length() > 20 ? "long value" : bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("device '")
                    .hasMessageEndingWith("accepted values: cpu, cuda, cuda:N (N = GPU index)");
        }
        assertThatThrownBy(() -> DeviceSelection.parse("c".repeat(100_000), 0).toString())
                .message()
                .hasSizeLessThan(200);
        assertThatThrownBy(() -> DeviceSelection.parse(null, 0))
                .hasMessageStartingWith("device is empty");
        assertThatThrownBy(() -> DeviceSelection.parse("  ", 0))
                .hasMessageStartingWith("device is empty");
    }

    @Test
    void shouldSeeNoGpuOnThisMachineAndStillAcceptCpu() {
        assertThat(DeviceSelection.parse("cpu")).isEqualTo(Device.cpu());
    }
}
