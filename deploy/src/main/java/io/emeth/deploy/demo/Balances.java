package io.emeth.deploy.demo;

import io.emeth.contracts.dev.DevChain;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.Map;
import org.web3j.protocol.Web3j;

/** EMT balances of named accounts at one moment, and the before/after table the demo prints. */
public record Balances(Map<String, BigInteger> byName, Map<String, String> addresses) {

    /** Reads the EMT balance of each {@code name -> address}. */
    public static Balances read(Web3j web3j, String token, Map<String, String> accounts)
            throws Exception {
        Map<String, BigInteger> balances = new LinkedHashMap<>();
        for (Map.Entry<String, String> account : accounts.entrySet()) {
            balances.put(account.getKey(), DevChain.emtBalance(web3j, token, account.getValue()));
        }
        return new Balances(balances, accounts);
    }

    /** One line per account: before, after and the change, in EMT. */
    public void printChange(Balances after, PrintStream out) {
        out.printf("  %-22s %-44s %16s %16s %12s%n", "account", "", "before", "after", "change");
        for (String name : byName.keySet()) {
            BigInteger before = byName.get(name);
            BigInteger now = after.byName().getOrDefault(name, before);
            out.printf(
                    "  %-22s %-44s %16s %16s %12s%n",
                    name, addresses.get(name), emt(before), emt(now), signed(now.subtract(before)));
        }
    }

    /** Wei as whole EMT, without trailing zeros. */
    public static String emt(BigInteger wei) {
        return new BigDecimal(wei, 18).stripTrailingZeros().toPlainString();
    }

    private static String signed(BigInteger wei) {
        return (wei.signum() > 0 ? "+" : "") + emt(wei);
    }
}
