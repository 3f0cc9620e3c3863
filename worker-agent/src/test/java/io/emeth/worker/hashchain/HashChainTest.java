package io.emeth.worker.hashchain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class HashChainTest {

    // Computed independently with Python's hashlib:
    //   ds = sha256(b"hello emeth"); job = bytes.fromhex("00112233445566778899aabbccddeeff")
    //   h0 = sha256(ds + job); h1 = sha256(h0 + (1).to_bytes(8, "big") + sha256(b"model-1"))
    //   h2 = sha256(h1 + (2).to_bytes(8, "big") + sha256(b"model-2"))
    private static final String JOB_ID = "0x00112233445566778899aabbccddeeff";
    private static final String H0 =
            "276c4397959f8c24a651b7e9363b1767f141f7e06d8b4134098b0cca73cae2c2";
    private static final String H1 =
            "addd429c83dc9a13891be3135aa80d1f555ed319d75fff6832ba66146fbb53c4";
    private static final String H2 =
            "5fc52c03f565e231b4a28063527ead0a599097e79b0cacda40caba59ff03f453";

    private static byte[] sha(String text) {
        return HashChain.sha256(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String hex(byte[] bytes) {
        return HexFormat.of().formatHex(bytes);
    }

    @Test
    void shouldMatchIndependentlyComputedLinks() {
        // Given the data set, the job id and two global models
        byte[] h0 = HashChain.genesis(sha("hello emeth"), JOB_ID);

        // When the links are chained
        byte[] h1 = HashChain.link(h0, 1, sha("model-1"));
        byte[] h2 = HashChain.link(h1, 2, sha("model-2"));

        // Then every link equals the value computed outside Java
        assertThat(hex(h0)).isEqualTo(H0);
        assertThat(hex(h1)).isEqualTo(H1);
        assertThat(hex(h2)).isEqualTo(H2);
    }

    @Test
    void shouldBuildTheWholeChainFromModelHashes() {
        // Given the genesis link
        byte[] h0 = HashChain.genesis(sha("hello emeth"), HashChain.jobIdBytes(JOB_ID));

        // When the chain of two epochs is built
        List<byte[]> links = HashChain.chain(h0, List.of(sha("model-1"), sha("model-2")));

        // Then it lists h0, h1, h2
        assertThat(links).extracting(HashChainTest::hex).containsExactly(H0, H1, H2);
    }

    @Test
    void shouldChangeEveryLaterLinkWhenAModelChanges() {
        // Given a chain
        byte[] h0 = HashChain.genesis(sha("hello emeth"), JOB_ID);

        // When the first model differs
        byte[] h1 = HashChain.link(h0, 1, sha("model-1 tampered"));
        byte[] h2 = HashChain.link(h1, 2, sha("model-2"));

        // Then both links differ from the honest chain
        assertThat(hex(h1)).isNotEqualTo(H1);
        assertThat(hex(h2)).isNotEqualTo(H2);
    }

    @Test
    void shouldBindARoundsAcceptedShardsAndMomentum() {
        // Given a previous link, a global model, two accepted shards and a momentum
        byte[] previous = sha("h0");
        List<byte[]> shards = List.of(sha("shard-a"), sha("shard-b"));

        // When the round's link is computed, without and with DiLoCo momentum
        byte[] plain = HashChain.roundLink(previous, 3, sha("model-3"), shards, null);
        byte[] diloco = HashChain.roundLink(previous, 3, sha("model-3"), shards, sha("momentum-3"));

        // Then both equal the values computed outside Java (Python hashlib), and another shard
        // set gives another link
        assertThat(hex(plain))
                .isEqualTo("fbb27bca2e90c5a41a26f74c78def338427a4625c7e7895b8256004ff0d8fe8f");
        assertThat(hex(diloco))
                .isEqualTo("bba49c6eb2aec84c1567ab76423b96f913ffba4725f0e49d3ac4a0c799da3faa");
        assertThat(
                        hex(
                                HashChain.roundLink(
                                        previous,
                                        3,
                                        sha("model-3"),
                                        List.of(sha("shard-a")),
                                        null)))
                .isNotEqualTo(hex(plain));
    }

    @Test
    void shouldRejectMalformedJobIds() {
        for (String bad :
                new String[] {
                    null,
                    "",
                    "00112233445566778899aabbccddeeff",
                    "0x00112233445566778899aabbccddee",
                    "0x00112233445566778899aabbccddeeff00",
                    "0x00112233445566778899aabbccddeegg",
                    "0x" + "a".repeat(10_000)
                }) {
            assertThatThrownBy(() -> HashChain.jobIdBytes(bad))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("jobId")
                    .hasMessageContaining("32 hex digits");
        }
    }

    @Test
    void shouldRejectWrongLengthsAndEpochZero() {
        byte[] hash = sha("x");
        assertThatThrownBy(() -> HashChain.genesis(new byte[31], JOB_ID))
                .hasMessageContaining("dataset sha256 must be 32 bytes, was 31 bytes");
        assertThatThrownBy(() -> HashChain.genesis(hash, new byte[15]))
                .hasMessageContaining("jobId must be 16 bytes");
        assertThatThrownBy(() -> HashChain.link(hash, 1, new byte[33]))
                .hasMessageContaining("global model sha256 must be 32 bytes");
        assertThatThrownBy(() -> HashChain.link(null, 1, hash))
                .hasMessageContaining("previous link must be 32 bytes, was null");
        assertThatThrownBy(() -> HashChain.link(hash, 0, hash))
                .hasMessageContaining("epoch must be >= 1");
    }
}
