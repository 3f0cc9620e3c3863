package io.emeth.admin.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.admin.commands.CommandPublisher;
import io.emeth.admin.rewards.RewardWithdrawal;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A restarted admin-rpc serves JSON-RPC before its Kafka producer and chain reader are open: the
 * methods that need them say so and ask the caller to try again.
 */
class AdminMethodsStartingTest {
    private static final RpcCaller CALLER = new RpcCaller("127.0.0.1");

    @Test
    void shouldAskToTryAgainWhenWithdrawCalledWhileTheChainReaderIsStillOpening() {
        // Given admin-rpc is listening but its write side is still opening
        AdminMethods methods =
                new AdminMethods(
                        null,
                        new CompletableFuture<CommandPublisher>(),
                        new CompletableFuture<RewardWithdrawal>(),
                        "0xpool");

        // When withdraw is called, Then it answers UNAVAILABLE saying why, not a server error
        assertThatThrownBy(
                        () ->
                                methods.methods()
                                        .get("withdraw")
                                        .call(new RpcParams("withdraw", null), CALLER))
                .isInstanceOfSatisfying(
                        RpcException.class,
                        e -> {
                            assertThat(e.code()).isEqualTo(RpcException.UNAVAILABLE);
                            assertThat(e.getMessage())
                                    .contains("admin-rpc is starting")
                                    .contains("try again");
                        });
    }

    @Test
    void shouldSayTheWriteSideFailedWhenItCouldNotOpen() {
        // Given the write side failed to open (admin-rpc is stopping)
        CompletableFuture<RewardWithdrawal> failed = new CompletableFuture<>();
        failed.completeExceptionally(new IllegalStateException("no broker"));
        AdminMethods methods =
                new AdminMethods(null, new CompletableFuture<CommandPublisher>(), failed, "0xpool");

        // When withdraw is called, Then the answer points to the log
        assertThatThrownBy(
                        () ->
                                methods.methods()
                                        .get("withdraw")
                                        .call(new RpcParams("withdraw", null), CALLER))
                .isInstanceOfSatisfying(
                        RpcException.class,
                        e -> assertThat(e.getMessage()).contains("failed to start"));
    }

    @Test
    void shouldSayWithdrawIsUnavailableWithoutAChainOnceStarted() {
        // Given a started admin-rpc without an http(s) chain endpoint
        AdminMethods methods =
                new AdminMethods(
                        null,
                        new CompletableFuture<CommandPublisher>(),
                        CompletableFuture.completedFuture(null),
                        "0xpool");

        // When withdraw is called, Then it says there is no chain endpoint
        assertThatThrownBy(
                        () ->
                                methods.methods()
                                        .get("withdraw")
                                        .call(new RpcParams("withdraw", null), CALLER))
                .isInstanceOfSatisfying(
                        RpcException.class,
                        e -> assertThat(e.getMessage()).contains("no chain endpoint"));
    }
}
