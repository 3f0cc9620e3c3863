package io.emeth.worker.it;

import io.emeth.common.eth.NodeIdentity;
import io.emeth.worker.WorkerAgent;
import java.util.List;

/**
 * The workers a test started through {@link WorkerStack#startWorkers}, in the order it named them:
 * their keys (to assert on addresses, or to start one again) and their agents (to read a status or
 * stop one).
 */
record StartedWorkers(List<NodeIdentity> identities, List<WorkerAgent> agents) {

    NodeIdentity identity(int index) {
        return identities.get(index);
    }

    WorkerAgent agent(int index) {
        return agents.get(index);
    }

    /** The workers' addresses, in rank order for an assignment. */
    List<String> addresses() {
        return identities.stream().map(NodeIdentity::address).toList();
    }
}
