package io.emeth.master.matching;

import io.emeth.master.inbox.Member;
import io.emeth.schemas.avro.worker.ByteRange;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits a data set into a validation tail and one training shard per worker, as the original's
 * splitter did (about 7 % validation for English, 10 % for Japanese), with shard sizes in
 * proportion to the workers' power capacity so that a round's shards finish together. Ranges are
 * byte offsets; workers move both ends to the next line start so that no line is split.
 */
public final class ShardPlanner {
    private ShardPlanner() {}

    /** The validation split: the data set's last 10 % ({@code ja}) or 7 % (otherwise). */
    public static ByteRange validation(long sizeBytes, String language) {
        long percent = "ja".equals(language) ? 10 : 7;
        long validationBytes = Math.max(1, mulDiv(sizeBytes, percent, 100));
        return range(sizeBytes - validationBytes, sizeBytes);
    }

    /**
     * {@code a * b / c} for non-negative values, exact (in BigInteger only when a long overflows).
     */
    static long mulDiv(long a, long b, long c) {
        if (Math.multiplyHigh(a, b) == 0 && a * b >= 0) {
            return a * b / c;
        }
        return BigInteger.valueOf(a)
                .multiply(BigInteger.valueOf(b))
                .divide(BigInteger.valueOf(c))
                .longValueExact();
    }

    /** One training range per member, in member order, covering [0, validation start). */
    public static List<ByteRange> shards(long sizeBytes, String language, List<Member> members) {
        long trainEnd = validation(sizeBytes, language).getStartByte();
        long total = 0;
        for (Member m : members) {
            total = Math.addExact(total, Math.max(1, m.powerCapacity()));
        }
        List<ByteRange> ranges = new ArrayList<>(members.size());
        long before = 0;
        long start = 0;
        for (int i = 0; i < members.size(); i++) {
            before += Math.max(1, members.get(i).powerCapacity());
            long end = i == members.size() - 1 ? trainEnd : mulDiv(trainEnd, before, total);
            ranges.add(range(start, end));
            start = end;
        }
        return ranges;
    }

    private static ByteRange range(long start, long end) {
        return new ByteRange(start, end);
    }
}
