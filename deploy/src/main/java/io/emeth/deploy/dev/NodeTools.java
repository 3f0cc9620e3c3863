package io.emeth.deploy.dev;

import io.emeth.contracts.dev.Anvil;
import io.emeth.deploy.OperatorException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The npm-installed tools the local stack needs, with one-line fixes when they are missing. */
final class NodeTools {
    private NodeTools() {}

    static void requireNode(StackLayout layout) {
        try {
            Process p = new ProcessBuilder("node", "--version").redirectErrorStream(true).start();
            if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException("node --version failed");
            }
        } catch (IOException e) {
            throw new OperatorException(
                    "Node.js 18+ and npm are needed for anvil and solc: install them (Debian: `apt-get"
                            + " install nodejs npm`) and run again");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperatorException("interrupted while checking Node.js");
        }
        anvil(layout);
    }

    static Path anvil(StackLayout layout) {
        try {
            return Anvil.binary(layout.repoRoot());
        } catch (IllegalStateException e) {
            throw new OperatorException(e.getMessage() + " (./emeth and mvn do it for you)");
        }
    }
}
