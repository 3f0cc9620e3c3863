package io.emeth.chain.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** How many commands one poll takes, so that at least two waves alternate in flight. */
class ChainGatewayPollTest {
    @Test
    void shouldTakeHalfOfMaxInflightPerPollSoThatTwoWavesAlternate() {
        assertThat(ChainGateway.pollCommands(32)).isEqualTo(16);
        assertThat(ChainGateway.pollCommands(33)).isEqualTo(16);
    }

    @Test
    void shouldTakeAtMostSixtyFourCommandsPerPoll() {
        assertThat(ChainGateway.pollCommands(256)).isEqualTo(ChainGateway.MAX_POLL_COMMANDS);
        assertThat(ChainGateway.pollCommands(1000)).isEqualTo(64);
    }

    @Test
    void shouldTakeAtLeastOneCommandWhenOnlyOneMayBeInFlight() {
        assertThat(ChainGateway.pollCommands(1)).isEqualTo(1);
        assertThat(ChainGateway.pollCommands(2)).isEqualTo(1);
    }
}
