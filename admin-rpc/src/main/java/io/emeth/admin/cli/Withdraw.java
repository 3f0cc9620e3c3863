package io.emeth.admin.cli;

import io.emeth.admin.NodeTopics;
import io.emeth.admin.commands.CommandPublisher;
import io.emeth.admin.db.Database;
import io.emeth.admin.db.SinkSchema;
import io.emeth.admin.read.ViewJson;
import io.emeth.admin.rewards.RewardWithdrawal;
import io.emeth.admin.rewards.RewardWithdrawal.Requested;
import io.emeth.admin.rewards.RewardWithdrawal.Result;
import io.emeth.common.config.MasterConfig;
import io.emeth.contracts.EmethCoreReader;
import io.emeth.schemas.Topics;
import java.io.PrintStream;
import java.math.BigInteger;

/**
 * {@code emeth withdraw}: asks the gateway to withdraw the node's share of every closed reward slot
 * not withdrawn yet, and prints each slot with its reward. The transactions are sent by the gateway
 * (the account's single writer), never from here; their outcome appears on {@code chain-tx-results}
 * under the printed command ids.
 */
public final class Withdraw {
    private Withdraw() {}

    /** Runs against the node of {@code config}; returns the exit code (0). */
    public static int run(MasterConfig config, PrintStream out) throws Exception {
        return run(config, "", out);
    }

    /** As {@link #run(MasterConfig, PrintStream)} with prefixed topic names (tests). */
    public static int run(MasterConfig config, String topicPrefix, PrintStream out)
            throws Exception {
        Topics topics = NodeTopics.create(config.kafka(), topicPrefix);
        try (Database database = Database.forConfig(config);
                EmethCoreReader chain =
                        EmethCoreReader.open(
                                config.endpoint().toString(),
                                config.emethContractAddress(),
                                config.poolId());
                CommandPublisher commands =
                        CommandPublisher.create(
                                config.kafka().bootstrapServers(),
                                config.kafka().properties(),
                                topics)) {
            SinkSchema.migrate(database);
            Result result = new RewardWithdrawal(database, chain, commands, config.poolId()).run();
            print(config.poolId(), result, out);
            return 0;
        }
    }

    static void print(String account, Result result, PrintStream out) {
        if (result.requested().isEmpty()) {
            out.println(
                    "Nothing to withdraw for "
                            + account
                            + ": no closed reward slot with unwithdrawn gas (current slot "
                            + result.currentSlot()
                            + ").");
            return;
        }
        BigInteger total = BigInteger.ZERO;
        for (Requested r : result.requested()) {
            BigInteger reward = r.withdrawal().reward();
            total = total.add(reward);
            out.println(
                    "Withdraw slot "
                            + r.withdrawal().slot()
                            + ": "
                            + ViewJson.emt(reward.toString())
                            + " EMT ("
                            + reward
                            + " wei, gas "
                            + r.withdrawal().nodeGas()
                            + " of "
                            + r.withdrawal().totalGas()
                            + "), command "
                            + r.commandId());
        }
        out.println(
                "Requested "
                        + result.requested().size()
                        + " withdrawal(s) for "
                        + account
                        + ", "
                        + ViewJson.emt(total.toString())
                        + " EMT in total; the gateway sends the transactions.");
    }
}
