package io.emeth.worker.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import io.emeth.worker.hashchain.HashChain;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChainLinkTest {

    private static String sha(String text) {
        return HexFormat.of().formatHex(HashChain.sha256(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static final String PREVIOUS = sha("h1");
    private static final List<String> SHARDS = List.of(sha("shard-a"), sha("shard-b"));

    private static ChainLink honest(String momentum) {
        String link =
                HexFormat.of()
                        .formatHex(
                                ChainLink.compute(
                                        HexFormat.of().parseHex(PREVIOUS),
                                        2,
                                        sha("model-2"),
                                        SHARDS,
                                        momentum));
        return new ChainLink(2, link, sha("model-2"), SHARDS, momentum);
    }

    @Test
    void shouldFollowOnlyTheLinkItWasBuiltOn() {
        // Given round 2's link built on h1
        ChainLink link = honest(sha("momentum-2"));

        // Then it follows h1 and nothing else
        assertThat(link.follows(PREVIOUS)).isTrue();
        assertThat(link.follows(sha("h1 forged"))).isFalse();
    }

    @Test
    void shouldNotFollowWhenAShardOrTheMomentumIsSwapped() {
        // Given a copy of round 2 claiming its link with another shard list or another momentum
        ChainLink honest = honest(sha("momentum-2"));
        ChainLink otherShards =
                new ChainLink(
                        2,
                        honest.link(),
                        sha("model-2"),
                        List.of(sha("shard-a")),
                        sha("momentum-2"));
        ChainLink otherMomentum =
                new ChainLink(2, honest.link(), sha("model-2"), SHARDS, sha("momentum-x"));
        ChainLink noMomentum = new ChainLink(2, honest.link(), sha("model-2"), SHARDS, null);

        // Then none of them follows h1: the link binds shards and momentum
        assertThat(otherShards.follows(PREVIOUS)).isFalse();
        assertThat(otherMomentum.follows(PREVIOUS)).isFalse();
        assertThat(noMomentum.follows(PREVIOUS)).isFalse();
    }

    @Test
    void shouldRefuseMalformedHexWithoutThrowing() {
        ChainLink honest = honest(null);
        assertThat(honest.follows(null)).isFalse();
        assertThat(honest.follows("zz")).isFalse();
        assertThat(new ChainLink(2, "not hex", sha("model-2"), SHARDS, null).follows(PREVIOUS))
                .isFalse();
        assertThat(
                        new ChainLink(2, honest.link(), sha("model-2"), List.of("short"), null)
                                .follows(PREVIOUS))
                .isFalse();
    }
}
