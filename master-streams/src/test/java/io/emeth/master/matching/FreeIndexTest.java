package io.emeth.master.matching;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FreeIndexTest {
    @Test
    void shouldOfferFreeWorkersStrongestFirstAndCountThem() {
        FreeIndex free = new FreeIndex();
        assertThat(free.add("0xb", 25)).isTrue();
        assertThat(free.add("0xa", 25)).isTrue();
        assertThat(free.add("0xc", 40)).isTrue();
        assertThat(order(free)).containsExactly("0xc", "0xa", "0xb"); // equal capacity: by address

        // a worker registering again with another capacity moves, and is not counted twice
        assertThat(free.add("0xb", 50)).isFalse();
        assertThat(order(free)).containsExactly("0xb", "0xc", "0xa");
        assertThat(free.stats().freeCount).isEqualTo(3);
        assertThat(free.stats().freeCapacity).isEqualTo(115);

        free.remove("0xc");
        free.remove("0xunknown");
        assertThat(order(free)).containsExactly("0xb", "0xa");
        assertThat(free.stats().freeCapacity).isEqualTo(75);
    }

    private static List<String> order(FreeIndex free) {
        List<String> out = new ArrayList<>();
        free.strongestFirst().forEachRemaining(c -> out.add(c.worker()));
        return out;
    }
}
