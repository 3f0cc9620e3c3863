package io.emeth.common.eth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NodeIdentityTest {

    @Test
    void shouldDeriveTheChecksummedAddressFromAKnownKey() {
        NodeIdentity id = NodeIdentity.fromPrivateKey(SignaturesTest.KEY_0);
        assertThat(id.address()).isEqualTo(SignaturesTest.ADDRESS_0);
        assertThat(NodeIdentity.fromPrivateKey(SignaturesTest.KEY_0.substring(2)).address())
                .isEqualTo(SignaturesTest.ADDRESS_0);
        assertThat(id.privateKeyHex()).isEqualTo(SignaturesTest.KEY_0);
    }

    @Test
    void shouldNeverPrintTheKey() {
        NodeIdentity id = NodeIdentity.fromPrivateKey(SignaturesTest.KEY_0);
        assertThat(id.toString())
                .contains(SignaturesTest.ADDRESS_0)
                .doesNotContain(SignaturesTest.KEY_0.substring(2, 12));
    }

    @Test
    void shouldKeepLeadingZerosOfSmallKeys() {
        NodeIdentity id = NodeIdentity.fromPrivateKey("0x" + "0".repeat(63) + "1");
        assertThat(id.privateKeyHex()).isEqualTo("0x" + "0".repeat(63) + "1");
        // the well-known address of private key 1
        assertThat(id.address()).isEqualTo("0x7E5F4552091A69125d5DfCb7b8C2659029395Bdf");
    }

    @Test
    void shouldRejectMalformedKeysWithoutEchoingThem() {
        String secretish = "0x" + "ab".repeat(31) + "zz";
        assertThatThrownBy(() -> NodeIdentity.fromPrivateKey(secretish))
                .hasMessageContaining("64 hex digits")
                .hasMessageContaining("non-hex")
                .hasMessageNotContaining("abab");
        assertThatThrownBy(() -> NodeIdentity.fromPrivateKey("0x1234"))
                .hasMessageContaining("got 4 characters");
        assertThatThrownBy(() -> NodeIdentity.fromPrivateKey(" ")).hasMessageContaining("empty");
        assertThatThrownBy(() -> NodeIdentity.fromPrivateKey("0x" + "0".repeat(64)))
                .hasMessageContaining("outside the secp256k1 range");
        assertThatThrownBy(() -> NodeIdentity.fromPrivateKey("0x" + "f".repeat(64)))
                .hasMessageContaining("outside the secp256k1 range");
    }

    @Test
    void shouldGenerateDistinctIdentities() {
        assertThat(NodeIdentity.generate()).isNotEqualTo(NodeIdentity.generate());
    }

    @Test
    void shouldValidateAddressesAndTheirChecksum() {
        assertThat(Addresses.checksummed(SignaturesTest.ADDRESS_0.toLowerCase()))
                .isEqualTo(SignaturesTest.ADDRESS_0);
        assertThat(Addresses.isValid(SignaturesTest.ADDRESS_0)).isTrue();
        String badChecksum = "0xF39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
        assertThatThrownBy(() -> Addresses.checksummed(badChecksum))
                .hasMessageContaining("checksum")
                .hasMessageContaining(SignaturesTest.ADDRESS_0);
        assertThatThrownBy(() -> Addresses.checksummed("0x123"))
                .hasMessageContaining("0x + 40 hex digits");
        assertThatThrownBy(() -> Addresses.checksummed("x".repeat(10_000)))
                .hasMessageContaining("...");
    }
}
