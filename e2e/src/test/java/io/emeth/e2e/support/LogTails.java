package io.emeth.e2e.support;

import java.util.List;

/** The end of each process' log, to append to a failure so that it says what the node did. */
public final class LogTails {
    /** Lines kept per process. */
    public static final int LINES = 40;

    private LogTails() {}

    /** One block per process: its name, state, log file and last {@value #LINES} lines. */
    public static String of(List<NodeProcess> processes) {
        StringBuilder text = new StringBuilder();
        for (NodeProcess p : processes) {
            text.append("\n\n----- ")
                    .append(p.name())
                    .append(p.isAlive() ? " (running)" : " (not running)")
                    .append(", log ")
                    .append(p.logFile())
                    .append(" -----\n");
            p.tail(LINES).forEach(line -> text.append(line).append('\n'));
        }
        return text.toString();
    }
}
