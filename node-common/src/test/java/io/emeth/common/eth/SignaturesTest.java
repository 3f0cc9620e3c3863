package io.emeth.common.eth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/**
 * Known vectors were produced outside this code: the digests with js-sha3 (keccak256 of the packed
 * bytes), the EIP-191 signatures by anvil's {@code eth_sign} for its well-known dev accounts.
 */
class SignaturesTest {
    // anvil / hardhat dev account 0 and 1
    static final String KEY_0 =
            "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80";
    static final String ADDRESS_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";
    static final String KEY_1 =
            "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
    static final String ADDRESS_1 = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";

    static final String JOB_ID = "0x0123456789abcdef0123456789abcdef";
    static final long TIME = 1_700_000_000_123L;
    static final String STORAGE_DIGEST =
            "1123e298ba1124351c375f7fd89a8d43f08dc927afe5145d75b2268cda432a8b";
    static final String TIMESTAMP_DIGEST =
            "44083ea663197b9f756ae856753c966f6442ea9ea4f678689038c15ce269cadd";
    static final String PREFIXED_TIMESTAMP_DIGEST =
            "358c674f4bc5be4e0e3c5e1c990c0bc184588dd447436c14ea73d8116f6d8bef";
    // anvil eth_sign(ADDRESS_0, TIMESTAMP_DIGEST)
    static final String ANVIL_TIMESTAMP_SIG =
            "0x034375765ee280fbdbe5d99ac12396304d02ccf74324bc14f7e569cffe37a356"
                    + "2633818859fe73df30bc5fe6aa004af161ff3e42792a2221b1c290d01fbd1aae1b";
    // anvil eth_sign(ADDRESS_1, STORAGE_DIGEST): an EIP-191 signature, NOT a storage signature
    static final String ANVIL_PREFIXED_STORAGE_SIG =
            "0x8037d23dfc017404dd13a5ac4bf4661553e020e6276f74f31c1cafd1bb91e9a2"
                    + "6218380388f408ef89b0e4dcffdbed1bb140a62132e86b83e333cc3e0858d7631b";

    static final NodeIdentity ID_0 = NodeIdentity.fromPrivateKey(KEY_0);
    static final NodeIdentity ID_1 = NodeIdentity.fromPrivateKey(KEY_1);

    @Test
    void shouldComputeDigestsLikeSolidityEncodePacked() {
        assertThat(hex(Signatures.storageDigest(JOB_ID, TIME))).isEqualTo(STORAGE_DIGEST);
        assertThat(hex(Signatures.timestampDigest(TIME))).isEqualTo(TIMESTAMP_DIGEST);
    }

    @Test
    void shouldProduceTheSameEip191SignatureAsAnvil() {
        // Given anvil's deterministic (RFC 6979) signature of the timestamp digest
        // When we sign the same digest with the same key
        String ours = Signatures.signTimestamp(ID_0, TIME);
        // Then the bytes are identical and it recovers to the account
        assertThat(ours).isEqualTo(ANVIL_TIMESTAMP_SIG);
        assertThat(Signatures.recoverTimestampSigner(TIME, ANVIL_TIMESTAMP_SIG))
                .isEqualTo(ADDRESS_0);
        assertThat(Signatures.verifyTimestamp(TIME, ANVIL_TIMESTAMP_SIG, ADDRESS_0)).isTrue();
    }

    @Test
    void shouldRecoverRawDigestSignerFromAnIndependentVector() {
        // An EIP-191 signature is a raw signature over the prefixed digest.
        byte[] prefixed = HexFormat.of().parseHex(PREFIXED_TIMESTAMP_DIGEST);
        assertThat(Signatures.recoverRawDigestSigner(prefixed, ANVIL_TIMESTAMP_SIG))
                .isEqualTo(ADDRESS_0);
        assertThat(Signatures.signRawDigest(ID_0, prefixed)).isEqualTo(ANVIL_TIMESTAMP_SIG);
    }

    @Test
    void shouldSignAndRecoverStorageRequests() {
        // When
        String sig = Signatures.signStorageRequest(ID_1, JOB_ID, TIME);
        // Then: 65 bytes, v 27/28, recovers to the signer with no EIP-191 prefix involved
        assertThat(sig).startsWith("0x").hasSize(132);
        assertThat(sig.substring(130)).isIn("1b", "1c");
        assertThat(Signatures.recoverStorageSigner(JOB_ID, TIME, sig)).isEqualTo(ADDRESS_1);
        assertThat(Signatures.recoverRawDigestSigner(HexFormat.of().parseHex(STORAGE_DIGEST), sig))
                .isEqualTo(ADDRESS_1);
        assertThat(Signatures.verifyStorageRequest(JOB_ID, TIME, sig, ADDRESS_1.toLowerCase()))
                .isTrue();
    }

    @Test
    void shouldNotAcceptAnEip191SignatureAsAStorageSignature() {
        // Given anvil's EIP-191 signature over the storage digest
        // Then it is not the storage API's raw form
        assertThat(
                        Signatures.verifyStorageRequest(
                                JOB_ID, TIME, ANVIL_PREFIXED_STORAGE_SIG, ADDRESS_1))
                .isFalse();
        // but it is a valid personal signature of the digest
        assertThat(
                        Signatures.verifyPersonal(
                                HexFormat.of().parseHex(STORAGE_DIGEST),
                                ANVIL_PREFIXED_STORAGE_SIG,
                                ADDRESS_1))
                .isTrue();
    }

    @Test
    void shouldNotAcceptARawSignatureAsAnEip191One() {
        // Given a raw signature over the timestamp digest
        String raw = Signatures.signRawDigest(ID_0, Signatures.timestampDigest(TIME));
        // Then the timestamp (EIP-191) check refuses it
        assertThat(Signatures.verifyTimestamp(TIME, raw, ADDRESS_0)).isFalse();
        assertThat(Signatures.recoverTimestampSigner(TIME, raw)).isNotEqualTo(ADDRESS_0);
    }

    @Test
    void shouldRecoverAnotherAddressWhenTheMessageIsTampered() {
        String sig = Signatures.signStorageRequest(ID_0, JOB_ID, TIME);
        assertThat(Signatures.verifyStorageRequest(JOB_ID, TIME + 1, sig, ADDRESS_0)).isFalse();
        assertThat(
                        Signatures.verifyStorageRequest(
                                "0x0123456789abcdef0123456789abcdee", TIME, sig, ADDRESS_0))
                .isFalse();
    }

    @Test
    void shouldRecoverAnotherAddressOrRefuseWhenTheSignatureIsTampered() {
        String sig = Signatures.signStorageRequest(ID_0, JOB_ID, TIME);
        // flip one bit of r
        char c = sig.charAt(10);
        String tampered = sig.substring(0, 10) + (c == '0' ? '1' : '0') + sig.substring(11);
        boolean accepted;
        try {
            accepted = Signatures.verifyStorageRequest(JOB_ID, TIME, tampered, ADDRESS_0);
        } catch (InvalidSignatureException unrecoverable) {
            accepted = false;
        }
        assertThat(accepted).isFalse();
        // flip v
        String otherV = sig.substring(0, 130) + (sig.endsWith("1b") ? "1c" : "1b");
        assertThat(Signatures.verifyStorageRequest(JOB_ID, TIME, otherV, ADDRESS_0)).isFalse();
    }

    @Test
    void shouldAcceptRecoveryIdAsV() {
        String sig = Signatures.signStorageRequest(ID_0, JOB_ID, TIME);
        String bareV = sig.substring(0, 130) + (sig.endsWith("1b") ? "00" : "01");
        assertThat(Signatures.recoverStorageSigner(JOB_ID, TIME, bareV)).isEqualTo(ADDRESS_0);
    }

    @Test
    void shouldRejectMalformedSignaturesWithAClearReason() {
        String good = Signatures.signStorageRequest(ID_0, JOB_ID, TIME);
        assertThatThrownBy(() -> Signatures.recoverStorageSigner(JOB_ID, TIME, null))
                .isInstanceOf(InvalidSignatureException.class)
                .hasMessageContaining("missing");
        assertThatThrownBy(() -> Signatures.recoverStorageSigner(JOB_ID, TIME, "0x1234"))
                .hasMessageContaining("65 bytes")
                .hasMessageContaining("got 4 hex digits");
        assertThatThrownBy(() -> Signatures.recoverStorageSigner(JOB_ID, TIME, good + "00"))
                .hasMessageContaining("got 132 hex digits");
        assertThatThrownBy(
                        () ->
                                Signatures.recoverStorageSigner(
                                        JOB_ID,
                                        TIME,
                                        good.substring(0, 20) + "zz" + good.substring(22)))
                .hasMessageContaining("not hex")
                .hasMessageContaining("'z' at position 18");
        assertThatThrownBy(
                        () ->
                                Signatures.recoverStorageSigner(
                                        JOB_ID, TIME, good.substring(0, 130) + "25"))
                .hasMessageContaining("v must be 27 or 28")
                .hasMessageContaining("got 37");
        assertThatThrownBy(
                        () ->
                                Signatures.recoverStorageSigner(
                                        JOB_ID, TIME, "0x" + "00".repeat(64) + "1b"))
                .hasMessageContaining("r is out of range");
        assertThatThrownBy(() -> Signatures.recoverStorageSigner(JOB_ID, TIME, "0x" + "\u0000"))
                .hasMessageContaining("\\u0000");
    }

    @Test
    void shouldRejectHighSMalleatedSignature() {
        // Given a valid signature, (r, n - s, v ^ 1) verifies too under plain ECDSA
        String sig = Signatures.signStorageRequest(ID_0, JOB_ID, TIME);
        java.math.BigInteger n = org.web3j.crypto.Sign.CURVE_PARAMS.getN();
        java.math.BigInteger s = new java.math.BigInteger(sig.substring(66, 130), 16);
        String highS = String.format("%064x", n.subtract(s));
        String malleated = sig.substring(0, 66) + highS + (sig.endsWith("1b") ? "1c" : "1b");
        // Then we refuse it
        assertThatThrownBy(() -> Signatures.recoverStorageSigner(JOB_ID, TIME, malleated))
                .isInstanceOf(InvalidSignatureException.class)
                .hasMessageContaining("upper half");
    }

    @Test
    void shouldRefuseNegativeTimestampsAndWrongDigestLengths() {
        assertThatThrownBy(() -> Signatures.storageDigest(JOB_ID, -1))
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> Signatures.signRawDigest(ID_0, new byte[31]))
                .hasMessageContaining("32 bytes, got 31");
    }

    @Test
    void shouldSignArbitraryBytesWithEip191() {
        byte[] event = "ShardTrained|0xabc|epoch=1".getBytes(StandardCharsets.UTF_8);
        String sig = Signatures.signPersonal(ID_1, event);
        assertThat(Signatures.recoverPersonalSigner(event, sig)).isEqualTo(ADDRESS_1);
        assertThat(
                        Signatures.verifyPersonal(
                                "other".getBytes(StandardCharsets.UTF_8), sig, ADDRESS_1))
                .isFalse();
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }
}
