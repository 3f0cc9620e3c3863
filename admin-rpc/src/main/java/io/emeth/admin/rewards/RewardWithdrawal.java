package io.emeth.admin.rewards;

import io.emeth.admin.commands.CommandPublisher;
import io.emeth.admin.db.Database;
import io.emeth.admin.rewards.SlotRewards.Plan;
import io.emeth.admin.rewards.SlotRewards.SlotState;
import io.emeth.admin.rewards.SlotRewards.Withdrawal;
import io.emeth.contracts.EmethCoreReader;
import java.io.IOException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code withdraw}: reads the node's reward slots from the contract, plans what to withdraw ({@link
 * SlotRewards}), publishes one {@code WithdrawSlotReward} command per closed slot to the gateway
 * and stores the next slot index in the original {@code last_node_slot_index} table. Shared by the
 * CLI command and the JSON-RPC method.
 */
public final class RewardWithdrawal {
    private static final Logger log = LoggerFactory.getLogger(RewardWithdrawal.class);

    /** A requested withdrawal: the slot, its reward in wei and the gateway command id. */
    public record Requested(Withdrawal withdrawal, String commandId) {}

    /** What a run did. */
    public record Result(List<Requested> requested, long nextIndex, long currentSlot) {
        public Result {
            requested = List.copyOf(requested);
        }
    }

    private final Database database;
    private final EmethCoreReader chain;
    private final CommandPublisher commands;
    private final String account;

    public RewardWithdrawal(
            Database database, EmethCoreReader chain, CommandPublisher commands, String account) {
        this.database = database;
        this.chain = chain;
        this.commands = commands;
        this.account = account;
    }

    /** Plans and requests every withdrawal; one run at a time per process. */
    public synchronized Result run() throws Exception {
        long start = storedIndex();
        long current = chain.currentSlot();
        Plan plan = SlotRewards.plan(start, slotsFrom(start), current);
        List<Requested> requested = new ArrayList<>();
        for (Withdrawal w : plan.withdrawals()) {
            String id = commands.withdrawSlotReward(account, w.slot(), w.reward());
            requested.add(new Requested(w, id));
        }
        if (plan.nextIndex() != start) {
            storeIndex(plan.nextIndex());
        }
        log.info(
                "Withdrawal run [account:{}, slots:{}, totalWei:{}, fromIndex:{}, nextIndex:{}]",
                account,
                requested.size(),
                plan.total(),
                start,
                plan.nextIndex());
        return new Result(requested, plan.nextIndex(), current);
    }

    /**
     * The node's slots from {@code fromIndex} on, with their totals, the node's gas and whether it
     * was withdrawn ({@code slotBalances == 0}, as the network's contract records it).
     */
    private List<SlotState> slotsFrom(long fromIndex) throws IOException {
        long count = chain.nodeSlotCount(account);
        List<SlotState> slots = new ArrayList<>();
        for (long i = Math.max(0, fromIndex); i < count; i++) {
            long slot = chain.nodeSlot(account, i);
            EmethCoreReader.Slot totals = chain.slot(slot);
            slots.add(
                    new SlotState(
                            i,
                            slot,
                            totals.totalGas(),
                            totals.totalReward(),
                            chain.slotGas(slot, account),
                            chain.slotWithdrawn(slot, account)));
        }
        return slots;
    }

    /** The stored index, 0 when none (the original's table holds at most one row). */
    long storedIndex() throws SQLException {
        return database.read(
                c -> {
                    try (Statement s = c.createStatement();
                            ResultSet r =
                                    s.executeQuery(
                                            "SELECT MAX(slot_index) FROM last_node_slot_index")) {
                        return r.next() ? r.getLong(1) : 0L;
                    }
                });
    }

    private void storeIndex(long index) throws SQLException {
        database.transaction(
                c -> {
                    try (Statement s = c.createStatement()) {
                        s.executeUpdate("DELETE FROM last_node_slot_index");
                    }
                    try (PreparedStatement p =
                            c.prepareStatement(
                                    "INSERT INTO last_node_slot_index (slot_index) VALUES (?)")) {
                        p.setLong(1, index);
                        p.executeUpdate();
                    }
                    return null;
                });
    }
}
