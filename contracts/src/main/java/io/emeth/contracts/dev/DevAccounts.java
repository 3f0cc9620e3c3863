package io.emeth.contracts.dev;

import java.util.List;
import java.util.stream.IntStream;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.Keys;

/**
 * The ten accounts anvil funds at start, derived from its well-known test mnemonic, and the role
 * each plays in the local stack and the tests.
 *
 * <p>Roles: 0 deployer and verifier (owns the contracts, mints EMT, verifies results); 1 master
 * node; 2 and 3 workers; 4 requester; 5..9 spare. These private keys are published by Foundry for
 * local chains and hold nothing anywhere else: never use them on a real network.
 */
public final class DevAccounts {
    /** Anvil's default mnemonic; accounts are m/44'/60'/0'/0/i. */
    public static final String MNEMONIC =
            "test test test test test test test test test test test junk";

    /** The chain id anvil runs with by default and the local stack uses. */
    public static final long CHAIN_ID = Anvil.Options.DEFAULT_CHAIN_ID;

    /** What an account is for in the local stack. */
    public enum Role {
        DEPLOYER_VERIFIER,
        MASTER,
        WORKER,
        REQUESTER,
        SPARE
    }

    /**
     * One dev account. {@link #toString()} leaves the private key out so that logging an account
     * never prints a key.
     */
    public record DevAccount(int index, String address, String privateKey, Role role) {
        public Credentials credentials() {
            return Credentials.create(privateKey);
        }

        @Override
        public String toString() {
            return "DevAccount[index=" + index + ", address=" + address + ", role=" + role + "]";
        }
    }

    private static final List<String> PRIVATE_KEYS =
            List.of(
                    "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
                    "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
                    "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
                    "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
                    "0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a",
                    "0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba",
                    "0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e",
                    "0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356",
                    "0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97",
                    "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6");

    private static final List<DevAccount> ALL =
            IntStream.range(0, PRIVATE_KEYS.size()).mapToObj(DevAccounts::create).toList();

    private DevAccounts() {}

    /** All ten accounts, by index. */
    public static List<DevAccount> all() {
        return ALL;
    }

    /**
     * The account at {@code index}.
     *
     * @throws IllegalArgumentException when the index is not 0..9
     */
    public static DevAccount get(int index) {
        if (index < 0 || index >= ALL.size()) {
            throw new IllegalArgumentException(
                    "dev account index " + index + " is not in 0.." + (ALL.size() - 1));
        }
        return ALL.get(index);
    }

    /** Account 0: deploys the contracts and owns the EMT minter role. */
    public static Credentials deployer() {
        return get(0).credentials();
    }

    /** Account 0 again: the verifier {@code DevChain.deploy} hands the role to (setVerifier). */
    public static Credentials verifier() {
        return get(0).credentials();
    }

    /** Account 1: the master node, which takes jobs on chain. */
    public static Credentials master() {
        return get(1).credentials();
    }

    /**
     * Worker {@code n} (0 or 1), accounts 2 and 3.
     *
     * @throws IllegalArgumentException for another n
     */
    public static Credentials worker(int n) {
        if (n < 0 || n > 1) {
            throw new IllegalArgumentException("dev worker " + n + " does not exist (0 or 1)");
        }
        return get(2 + n).credentials();
    }

    /** Account 4: requests jobs and pays their fees. */
    public static Credentials requester() {
        return get(4).credentials();
    }

    private static DevAccount create(int index) {
        String key = PRIVATE_KEYS.get(index);
        String address = Keys.toChecksumAddress(Credentials.create(key).getAddress());
        return new DevAccount(index, address, key, roleOf(index));
    }

    private static Role roleOf(int index) {
        return switch (index) {
            case 0 -> Role.DEPLOYER_VERIFIER;
            case 1 -> Role.MASTER;
            case 2, 3 -> Role.WORKER;
            case 4 -> Role.REQUESTER;
            default -> Role.SPARE;
        };
    }
}
