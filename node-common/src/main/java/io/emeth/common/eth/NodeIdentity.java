package io.emeth.common.eth;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.web3j.crypto.Credentials;
import org.web3j.crypto.ECKeyPair;
import org.web3j.crypto.Keys;

/**
 * A node's Ethereum account: the secp256k1 key that signs storage requests, worker events and
 * transactions, and its EIP-55 checksummed address.
 *
 * <p>Consumes a private key as hex (from {@code privateKey} in a config file) or a key file
 * generated on first start; produces the web3j {@link Credentials} and the address. It exists so
 * that no other code handles raw key material: {@link #toString()} shows only the address, and
 * error messages never echo a key.
 */
public final class NodeIdentity {
    private static final Logger log = LoggerFactory.getLogger(NodeIdentity.class);
    private static final Pattern KEY_HEX = Pattern.compile("(0x)?[0-9a-fA-F]{64}");
    private static final BigInteger CURVE_ORDER =
            new BigInteger("FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16);
    private static final Set<PosixFilePermission> OWNER_ONLY =
            Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
    private static final long MAX_KEY_FILE_BYTES = 1024;

    private final Credentials credentials;
    private final String address;

    private NodeIdentity(ECKeyPair keyPair) {
        this.credentials = Credentials.create(keyPair);
        this.address = Keys.toChecksumAddress(credentials.getAddress());
    }

    /**
     * Wraps a private key given as 64 hex digits, with or without {@code 0x}.
     *
     * @throws IllegalArgumentException naming what is wrong with the key, never the key itself
     */
    public static NodeIdentity fromPrivateKey(String privateKeyHex) {
        if (privateKeyHex == null || privateKeyHex.isBlank()) {
            throw new IllegalArgumentException("private key is empty");
        }
        String trimmed = privateKeyHex.strip();
        if (!KEY_HEX.matcher(trimmed).matches()) {
            int digits = trimmed.startsWith("0x") ? trimmed.length() - 2 : trimmed.length();
            throw new IllegalArgumentException(
                    "private key must be 64 hex digits (optionally 0x-prefixed), got "
                            + digits
                            + " characters"
                            + (trimmed.chars().allMatch(NodeIdentity::isHexOrX)
                                    ? ""
                                    : " including non-hex characters"));
        }
        BigInteger d =
                new BigInteger(trimmed.startsWith("0x") ? trimmed.substring(2) : trimmed, 16);
        if (d.signum() == 0 || d.compareTo(CURVE_ORDER) >= 0) {
            throw new IllegalArgumentException(
                    "private key is outside the secp256k1 range (zero or ≥ the curve order)");
        }
        return new NodeIdentity(ECKeyPair.create(d));
    }

    /** A fresh random identity (for tests and dev accounts; see {@link #loadOrCreate(Path)}). */
    public static NodeIdentity generate() {
        try {
            return new NodeIdentity(Keys.createEcKeyPair(new SecureRandom()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate a secp256k1 key pair", e);
        }
    }

    /**
     * Reads the key kept in {@code keyFile}, or generates one and stores it there with owner-only
     * permissions (rw-------) so that a worker keeps its address across restarts.
     *
     * <p>Creation is atomic: the key is written to a private temporary file and linked into place,
     * so two processes starting at once end up with the same key. A key file readable by others is
     * tightened to owner-only with a warning.
     *
     * @throws IOException if the file cannot be read or written, or holds no valid key (the message
     *     names the file)
     */
    public static NodeIdentity loadOrCreate(Path keyFile) throws IOException {
        Objects.requireNonNull(keyFile, "keyFile");
        if (Files.exists(keyFile)) {
            return load(keyFile);
        }
        Path dir = keyFile.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        NodeIdentity fresh = generate();
        Path tmp = Files.createTempFile(dir, ".key-", ".tmp");
        try {
            restrictToOwner(tmp);
            Files.writeString(
                    tmp,
                    fresh.privateKeyHex() + "\n",
                    StandardCharsets.US_ASCII,
                    StandardOpenOption.SYNC);
            try {
                Files.createLink(keyFile, tmp);
            } catch (FileAlreadyExistsException raced) {
                return load(keyFile);
            } catch (UnsupportedOperationException noLinks) {
                Files.move(tmp, keyFile);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
        log.info("Generated node key [address:{}, file:{}]", fresh.address, keyFile);
        return fresh;
    }

    private static NodeIdentity load(Path keyFile) throws IOException {
        if (Files.size(keyFile) > MAX_KEY_FILE_BYTES) {
            throw new IOException(
                    keyFile + ": not a key file (larger than " + MAX_KEY_FILE_BYTES + " bytes)");
        }
        tightenIfOpen(keyFile);
        String text = Files.readString(keyFile, StandardCharsets.US_ASCII);
        try {
            return fromPrivateKey(text);
        } catch (IllegalArgumentException e) {
            throw new IOException(
                    keyFile
                            + ": "
                            + e.getMessage()
                            + "; delete the file to generate a new key, or put a valid key in it",
                    e);
        }
    }

    private static void tightenIfOpen(Path keyFile) throws IOException {
        if (!supportsPosix(keyFile)) {
            return;
        }
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(keyFile);
        if (!OWNER_ONLY.containsAll(perms)) {
            log.warn(
                    "Key file was readable by others; restricting it to the owner [file:{}, was:{}]",
                    keyFile,
                    java.nio.file.attribute.PosixFilePermissions.toString(perms));
            Files.setPosixFilePermissions(keyFile, OWNER_ONLY);
        }
    }

    private static void restrictToOwner(Path file) throws IOException {
        if (supportsPosix(file)) {
            Files.setPosixFilePermissions(file, OWNER_ONLY);
        }
    }

    private static boolean supportsPosix(Path file) {
        return file.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    private static boolean isHexOrX(int c) {
        return Character.digit(c, 16) >= 0 || c == 'x';
    }

    /** The EIP-55 checksummed address, e.g. {@code 0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266}. */
    public String address() {
        return address;
    }

    /** The web3j credentials, for transaction managers. */
    public Credentials credentials() {
        return credentials;
    }

    /** The key pair, for signing. */
    public ECKeyPair keyPair() {
        return credentials.getEcKeyPair();
    }

    /**
     * The private key as {@code 0x} + 64 hex digits. Only for writing a config or key file; never
     * log it.
     */
    public String privateKeyHex() {
        String hex = keyPair().getPrivateKey().toString(16);
        return "0x" + "0".repeat(64 - hex.length()) + hex;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeIdentity other && other.address.equals(address);
    }

    @Override
    public int hashCode() {
        return address.hashCode();
    }

    /** Shows the address only: a node identity is safe to log. */
    @Override
    public String toString() {
        return "NodeIdentity[address=" + address + "]";
    }
}
