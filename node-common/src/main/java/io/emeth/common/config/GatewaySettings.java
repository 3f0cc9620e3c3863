package io.emeth.common.config;

import java.math.BigInteger;
import java.util.Objects;

/**
 * How the chain gateway sends the master account's transactions: the {@code config/master.json}
 * keys {@code max_inflight_txs}, {@code max_fee_ceiling_wei}, {@code allowance_deposits} and {@code
 * allowance_low_water_deposits} (see {@link MasterConfig}'s key table).
 *
 * @param maxInflightTxs transactions signed, journaled and broadcast before their receipts are in
 *     (1..1000; 1 = one at a time)
 * @param maxFeeCeilingWei a stuck transaction is never replaced with a max fee per gas above this
 * @param allowanceDeposits how many deposits of the job at hand one ERC-20 approve allows (1..1000)
 * @param allowanceLowWaterDeposits the allowance is topped up when it covers fewer deposits than
 *     this (1..allowanceDeposits)
 */
public record GatewaySettings(
        int maxInflightTxs,
        BigInteger maxFeeCeilingWei,
        int allowanceDeposits,
        int allowanceLowWaterDeposits) {
    public static final int DEFAULT_MAX_INFLIGHT_TXS = 32;

    /** 1,000 gwei: far above a normal fee, low enough that a fee spike cannot drain the account. */
    public static final BigInteger DEFAULT_MAX_FEE_CEILING_WEI = BigInteger.TEN.pow(12);

    public static final int DEFAULT_ALLOWANCE_DEPOSITS = 20;
    public static final int DEFAULT_ALLOWANCE_LOW_WATER_DEPOSITS = 2;

    /** The defaults: 32 in flight, a 1,000 gwei ceiling, 20 deposits topped up below 2. */
    public static final GatewaySettings DEFAULTS =
            new GatewaySettings(
                    DEFAULT_MAX_INFLIGHT_TXS,
                    DEFAULT_MAX_FEE_CEILING_WEI,
                    DEFAULT_ALLOWANCE_DEPOSITS,
                    DEFAULT_ALLOWANCE_LOW_WATER_DEPOSITS);

    public GatewaySettings {
        Objects.requireNonNull(maxFeeCeilingWei, "max_fee_ceiling_wei");
        if (maxInflightTxs < 1 || maxInflightTxs > 1000) {
            throw new IllegalArgumentException(
                    "max_inflight_txs " + maxInflightTxs + " is not in 1..1000");
        }
        if (maxFeeCeilingWei.signum() <= 0) {
            throw new IllegalArgumentException(
                    "max_fee_ceiling_wei " + maxFeeCeilingWei + " is not positive");
        }
        if (allowanceDeposits < 1 || allowanceDeposits > 1000) {
            throw new IllegalArgumentException(
                    "allowance_deposits " + allowanceDeposits + " is not in 1..1000");
        }
        if (allowanceLowWaterDeposits < 1 || allowanceLowWaterDeposits > allowanceDeposits) {
            throw new IllegalArgumentException(
                    "allowance_low_water_deposits "
                            + allowanceLowWaterDeposits
                            + " is not in 1.."
                            + allowanceDeposits
                            + " (allowance_deposits)");
        }
    }

    /** Reads the four keys, each error naming its key. */
    static GatewaySettings parse(ConfigReader r) {
        int inflight = r.intNumber("max_inflight_txs", DEFAULT_MAX_INFLIGHT_TXS, 1, 1000);
        BigInteger ceiling = r.wei("max_fee_ceiling_wei").orElse(DEFAULT_MAX_FEE_CEILING_WEI);
        if (ceiling.signum() == 0) {
            throw r.error(
                    r.value("max_fee_ceiling_wei"),
                    "max_fee_ceiling_wei",
                    "must be positive (wei); no transaction could be sent under a 0 ceiling");
        }
        int deposits = r.intNumber("allowance_deposits", DEFAULT_ALLOWANCE_DEPOSITS, 1, 1000);
        int lowWater =
                r.intNumber(
                        "allowance_low_water_deposits",
                        DEFAULT_ALLOWANCE_LOW_WATER_DEPOSITS,
                        1,
                        1000);
        if (lowWater > deposits) {
            throw r.error(
                    r.value("allowance_low_water_deposits"),
                    "allowance_low_water_deposits",
                    lowWater
                            + " is above allowance_deposits "
                            + deposits
                            + "; the allowance would be topped up before every job");
        }
        return new GatewaySettings(inflight, ceiling, deposits, lowWater);
    }
}
