package io.emeth.worker.tokens;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;

/**
 * Learns a byte-level BPE vocabulary from a text, the way GPT-2's was made: split the text with
 * GPT-2's pre-tokenizer, start from one token per byte, and repeatedly merge the most frequent
 * adjacent pair (ties: the pair whose merged string sorts first, so the result is deterministic).
 * Used for the dev stack's Japanese tokenizer, which only needs to round-trip Japanese text and to
 * be small; a merge must occur at least twice to be learned.
 */
public final class BpeTrainer {
    private BpeTrainer() {}

    /**
     * Trains on {@code text}.
     *
     * @param maxMerges at most this many merges (the vocabulary is 256 + merges + the eos token)
     * @param eos the end-of-text token, added after the learned tokens
     */
    public static ByteLevelBpe train(String text, int maxMerges, String eos) {
        List<String> symbols = new ArrayList<>();
        Map<String, Integer> ids = new LinkedHashMap<>();
        for (char c : ByteLevelBpe.byteToUnicode()) {
            ids.put(String.valueOf(c), symbols.size());
            symbols.add(String.valueOf(c));
        }
        List<Word> words = words(text, ids);
        List<String> merges = new ArrayList<>();
        while (merges.size() < maxMerges) {
            Map<Long, Integer> counts = new HashMap<>();
            for (Word w : words) {
                for (int i = 0; i + 1 < w.symbols.size(); i++) {
                    counts.merge(
                            pair(w.symbols.get(i), w.symbols.get(i + 1)), w.count, Integer::sum);
                }
            }
            long best = -1;
            int bestCount = 1;
            String bestString = null;
            for (Map.Entry<Long, Integer> e : counts.entrySet()) {
                int count = e.getValue();
                if (count < bestCount) {
                    continue;
                }
                String merged = symbols.get(left(e.getKey())) + symbols.get(right(e.getKey()));
                if (count > bestCount || bestString == null || merged.compareTo(bestString) < 0) {
                    best = e.getKey();
                    bestCount = count;
                    bestString = merged;
                }
            }
            if (best < 0 || bestCount < 2) {
                break;
            }
            int a = left(best);
            int b = right(best);
            int merged = symbols.size();
            symbols.add(bestString);
            ids.put(bestString, merged);
            merges.add(symbols.get(a) + " " + symbols.get(b));
            for (Word w : words) {
                w.merge(a, b, merged);
            }
        }
        return new ByteLevelBpe(ids, merges, eos, symbols.size());
    }

    private static List<Word> words(String text, Map<String, Integer> ids) {
        Map<String, Integer> counts = new TreeMap<>();
        Matcher m = ByteLevelBpe.GPT2_SPLIT.matcher(text);
        while (m.find()) {
            counts.merge(ByteLevelBpe.toByteLevel(m.group()), 1, Integer::sum);
        }
        List<Word> words = new ArrayList<>(counts.size());
        counts.forEach(
                (word, count) -> {
                    List<Integer> symbols = new ArrayList<>(word.length());
                    for (int i = 0; i < word.length(); i++) {
                        symbols.add(ids.get(String.valueOf(word.charAt(i))));
                    }
                    words.add(new Word(symbols, count));
                });
        return words;
    }

    private static long pair(int a, int b) {
        return ((long) a << 32) | b;
    }

    private static int left(long pair) {
        return (int) (pair >>> 32);
    }

    private static int right(long pair) {
        return (int) pair;
    }

    /** A distinct pre-token, as its current symbols, and how often it occurs. */
    private static final class Word {
        final List<Integer> symbols;
        final int count;

        Word(List<Integer> symbols, int count) {
            this.symbols = symbols;
            this.count = count;
        }

        void merge(int a, int b, int merged) {
            for (int i = 0; i + 1 < symbols.size(); i++) {
                if (symbols.get(i) == a && symbols.get(i + 1) == b) {
                    symbols.set(i, merged);
                    symbols.remove(i + 1);
                }
            }
        }
    }
}
