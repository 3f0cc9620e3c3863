package io.emeth.chain.gateway;

import java.util.List;

/** What a command needs: the transactions to send, or why nothing may be sent. */
sealed interface Plan {
    /** The transactions, in order (an approve before a process). */
    record Send(List<Step> steps) implements Plan {
        public Send {
            steps = List.copyOf(steps);
        }
    }

    /** The command's precondition does not hold on chain (or the command is malformed). */
    record Refuse(String reason) implements Plan {}
}
