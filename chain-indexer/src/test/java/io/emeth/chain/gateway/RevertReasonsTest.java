package io.emeth.chain.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.chain.rpc.RpcException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.web3j.abi.FunctionEncoder;
import org.web3j.abi.datatypes.Type;
import org.web3j.abi.datatypes.Utf8String;

class RevertReasonsTest {
    static String error(String reason) {
        return io.emeth.contracts.RevertData.ERROR_SELECTOR
                + FunctionEncoder.encodeConstructor(List.<Type>of(new Utf8String(reason)));
    }

    @Test
    void shouldDecodeAnErrorStringFromTheErrorData() {
        RpcException e =
                new RpcException(
                        "eth_estimateGas", 3, "execution reverted", error("job not REQUESTED"));
        assertThat(RevertReasons.of(e)).isEqualTo("job not REQUESTED");
    }

    @Test
    void shouldFallBackToTheNodeMessage() {
        RpcException e =
                new RpcException(
                        "eth_estimateGas", -32000, "execution reverted: deadline passed", null);
        assertThat(RevertReasons.of(e)).isEqualTo("execution reverted: deadline passed");
        assertThat(RevertReasons.of(new RpcException("x", 3, "", null)))
                .isEqualTo("reverted without a reason");
    }

    @Test
    void shouldIgnoreMalformedOrHostileData() {
        assertThat(RevertReasons.decode("0x08c379a0")).isNull();
        assertThat(RevertReasons.decode("0x08c379a0" + "ff".repeat(64))).isNull();
        assertThat(RevertReasons.decode("0xdeadbeef")).isNull();
        assertThat(RevertReasons.decode(null)).isNull();
        String long_ = RevertReasons.decode(error("x".repeat(10_000)));
        assertThat(long_).hasSizeLessThan(600);
        assertThat(RevertReasons.decode(error("a\u0000b"))).isEqualTo("a?b");
    }
}
