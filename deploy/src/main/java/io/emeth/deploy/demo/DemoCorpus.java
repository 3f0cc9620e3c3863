package io.emeth.deploy.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The small English corpus bundled for the demo (~48 KiB of generated sentences about the node):
 * over the 4 KiB minimum, under 1 MB so that its estimated gas is the smallest, and repetitive
 * enough that two epochs of a tiny model visibly lower the loss.
 */
public final class DemoCorpus {
    static final String RESOURCE = "/demo/corpus-en.txt";

    private DemoCorpus() {}

    public static byte[] english() {
        try (InputStream in = DemoCorpus.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException(
                        "the demo corpus " + RESOURCE + " is missing from the jar");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
