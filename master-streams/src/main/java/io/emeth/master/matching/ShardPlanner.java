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
        long validationBytes =
                Math.max(
                        1,
                        BigInteger.valueOf(sizeBytes)
                                .multiply(BigInteger.valueOf(percent))
                                .divide(BigInteger.valueOf(100))
                                .longValueExact());
        return range(sizeBytes - validationBytes, sizeBytes);
    }

    /** One training range per member, in member order, covering [0, validation start). */
    public static List<ByteRange> shards(long sizeBytes, String language, List<Member> members) {
        long trainEnd = validation(sizeBytes, language).getStartByte();
        BigInteger total = BigInteger.ZERO;
        for (Member m : members) {
            total = total.add(BigInteger.valueOf(Math.max(1, m.powerCapacity())));
        }
        List<ByteRange> ranges = new ArrayList<>(members.size());
        BigInteger before = BigInteger.ZERO;
        long start = 0;
        for (int i = 0; i < members.size(); i++) {
            before = before.add(BigInteger.valueOf(Math.max(1, members.get(i).powerCapacity())));
            long end =
                    i == members.size() - 1
                            ? trainEnd
                            : BigInteger.valueOf(trainEnd)
                                    .multiply(before)
                                    .divide(total)
                                    .longValueExact();
            ranges.add(range(start, end));
            start = end;
        }
        return ranges;
    }

    private static ByteRange range(long start, long end) {
        return ByteRange.newBuilder().setStartByte(start).setEndByte(end).build();
    }
}
