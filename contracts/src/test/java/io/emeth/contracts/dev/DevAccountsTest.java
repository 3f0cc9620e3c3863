package io.emeth.contracts.dev;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.emeth.contracts.dev.DevAccounts.DevAccount;
import io.emeth.contracts.dev.DevAccounts.Role;
import org.junit.jupiter.api.Test;
import org.web3j.crypto.Bip32ECKeyPair;
import org.web3j.crypto.MnemonicUtils;
import org.web3j.utils.Numeric;

class DevAccountsTest {
    private static final int HARDENED = 0x80000000;

    @Test
    void shouldHoldTheKeysAnvilDerivesFromItsMnemonic() {
        // Given anvil's mnemonic and derivation path m/44'/60'/0'/0/i
        Bip32ECKeyPair master =
                Bip32ECKeyPair.generateKeyPair(
                        MnemonicUtils.generateSeed(DevAccounts.MNEMONIC, ""));
        for (DevAccount account : DevAccounts.all()) {
            // When account i is derived
            int[] path = {44 | HARDENED, 60 | HARDENED, HARDENED, 0, account.index()};
            Bip32ECKeyPair derived = Bip32ECKeyPair.deriveKeyPair(master, path);
            // Then it is the key we hard-coded
            assertThat(Numeric.toHexStringWithPrefixZeroPadded(derived.getPrivateKey(), 64))
                    .isEqualTo(account.privateKey());
        }
    }

    @Test
    void shouldExposeChecksummedAddressesAnvilPrints() {
        assertThat(DevAccounts.get(0).address())
                .isEqualTo("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assertThat(DevAccounts.get(4).address())
                .isEqualTo("0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65");
        assertThat(DevAccounts.requester().getAddress())
                .isEqualToIgnoringCase(DevAccounts.get(4).address());
    }

    @Test
    void shouldAssignDocumentedRoles() {
        assertThat(DevAccounts.get(0).role()).isEqualTo(Role.DEPLOYER_VERIFIER);
        assertThat(DevAccounts.get(1).role()).isEqualTo(Role.MASTER);
        assertThat(DevAccounts.get(2).role()).isEqualTo(Role.WORKER);
        assertThat(DevAccounts.get(3).role()).isEqualTo(Role.WORKER);
        assertThat(DevAccounts.get(4).role()).isEqualTo(Role.REQUESTER);
        assertThat(DevAccounts.get(9).role()).isEqualTo(Role.SPARE);
        assertThat(DevAccounts.deployer().getAddress())
                .isEqualTo(DevAccounts.verifier().getAddress());
        assertThat(DevAccounts.worker(1).getAddress())
                .isEqualToIgnoringCase(DevAccounts.get(3).address());
    }

    @Test
    void shouldNeverPrintPrivateKeys() {
        for (DevAccount account : DevAccounts.all()) {
            assertThat(account.toString())
                    .contains(account.address())
                    .doesNotContain(account.privateKey().substring(2));
        }
    }

    @Test
    void shouldRejectUnknownAccountsNamingTheIndex() {
        assertThatThrownBy(() -> DevAccounts.get(10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("index 10 is not in 0..9");
        assertThatThrownBy(() -> DevAccounts.get(-1)).hasMessageContaining("index -1");
        assertThatThrownBy(() -> DevAccounts.worker(2)).hasMessageContaining("dev worker 2");
    }
}
