package io.emeth.contracts.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.web3j.protocol.Web3j;
import org.web3j.protocol.core.DefaultBlockParameterName;
import org.web3j.protocol.http.HttpService;

/** Starts and stops the real anvil binary from node_modules. */
class AnvilIT {

    @Test
    void shouldAnswerJsonRpcWhenStartedAndStopWhenClosed() throws Exception {
        // Given anvil started with the defaults (a port of its choosing)
        Anvil anvil = Anvil.start(Anvil.Options.defaults());
        Web3j web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
        try {
            // Then it answers with its default chain id and funds the dev accounts
            assertThat(anvil.port()).isPositive();
            assertThat(web3j.ethChainId().send().getChainId()).isEqualTo(BigInteger.valueOf(31337));
            assertThat(DevChain.ethBalance(web3j, DevAccounts.get(4).address()))
                    .isEqualTo(BigInteger.TEN.pow(22));
        } finally {
            web3j.shutdown();
            anvil.close();
        }
        // When closed, Then the process is gone
        assertThat(anvil.isAlive()).isFalse();
        assertThat(ProcessHandle.of(anvil.pid()).map(ProcessHandle::isAlive))
                .isNotEqualTo(java.util.Optional.of(true));
    }

    @Test
    void shouldUseTheGivenPortAndChainId() throws Exception {
        int port = freePort();
        try (Anvil anvil = Anvil.start(Anvil.Options.defaults().withPort(port).withChainId(4242))) {
            Web3j web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
            assertThat(anvil.rpcUrl()).isEqualTo("http://127.0.0.1:" + port);
            assertThat(web3j.ethChainId().send().getChainId()).isEqualTo(BigInteger.valueOf(4242));
            web3j.shutdown();
        }
    }

    @Test
    void shouldMineOnItsOwnWithABlockTime() throws Exception {
        try (Anvil anvil =
                Anvil.start(Anvil.Options.defaults().withBlockTime(Duration.ofMillis(200)))) {
            Web3j web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> web3j.ethBlockNumber().send().getBlockNumber().signum() > 0);
            web3j.shutdown();
        }
    }

    @Test
    void shouldKeepChainStateAcrossRestartsWithAStateFile(@TempDir Path dir) throws Exception {
        // Given a chain with a state file on which the contracts were deployed
        Path state = dir.resolve("anvil/state.json");
        Files.createDirectories(state.getParent());
        Anvil.Options options = Anvil.Options.defaults().withStateFile(state);
        String core;
        try (Anvil anvil = Anvil.start(options)) {
            Web3j web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
            core =
                    DevChain.deploy(web3j, DevAccounts.deployer(), DevAccounts.verifier())
                            .coreAddress();
            web3j.shutdown();
        }
        assertThat(state).isNotEmptyFile();

        // When anvil restarts on the same file
        try (Anvil anvil = Anvil.start(options)) {
            Web3j web3j = Web3j.build(new HttpService(anvil.rpcUrl()));
            // Then the contract is still there
            String code = web3j.ethGetCode(core, DefaultBlockParameterName.LATEST).send().getCode();
            assertThat(code).hasSizeGreaterThan(2);
            web3j.shutdown();
        }
    }

    @Test
    void shouldReadThePortOfThisRunFromAKeptLogFile(@TempDir Path dir) throws Exception {
        // Given a log file that already holds an earlier run's "Listening on" line
        Anvil.Options options = Anvil.Options.defaults().withLogFile(dir.resolve("anvil.log"));
        try (Anvil first = Anvil.start(options)) {
            assertThat(first.logFile()).isNotEmptyFile();
        }
        // When anvil starts again on a port of its choosing, Then the new port is used
        try (Anvil second = Anvil.start(options)) {
            Web3j web3j = Web3j.build(new HttpService(second.rpcUrl()));
            assertThat(web3j.ethChainId().send().getChainId()).isEqualTo(BigInteger.valueOf(31337));
            web3j.shutdown();
        }
        assertThat(Files.readString(dir.resolve("anvil.log"))).contains("Listening on");
    }

    @Test
    void shouldNameThePortWhenItIsInUse() throws Exception {
        // Given a port something else listens on
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();
            // When anvil is started on it, Then the error names the port and the fix
            assertThatThrownBy(() -> Anvil.start(Anvil.Options.defaults().withPort(port)))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("port " + port + " is in use")
                    .hasMessageContaining("Address already in use");
        }
    }

    @Test
    void shouldTellToRunNpmInstallWhenTheBinaryIsMissing(@TempDir Path root) {
        assertThatThrownBy(() -> Anvil.binary(root))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage(
                        "anvil not found at "
                                + root.resolve(Anvil.BINARY)
                                + ": run `npm install` in the repository root ("
                                + root
                                + ")");
    }

    @Test
    void shouldFindTheRepositoryBinary() {
        assertThat(Anvil.binary()).isExecutable();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
