package io.emeth.common.eth;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.SignatureException;
import java.util.Arrays;
import java.util.Objects;
import org.web3j.crypto.Hash;
import org.web3j.crypto.Keys;
import org.web3j.crypto.Sign;

/**
 * The node's message signatures: 65-byte secp256k1 signatures as {@code 0x} + hex of r ‖ s ‖ v with
 * v 27 or 28, and recovery of the signing address from them.
 *
 * <p>Two forms exist and must never be confused:
 *
 * <ul>
 *   <li><b>raw digest</b> — the key signs a 32-byte digest directly. Only the Emeth storage API
 *       expects this, over {@code keccak256(abi.encodePacked(string jobId, uint256 signedtime))}
 *       ({@link #signStorageRequest}).
 *   <li><b>EIP-191 personal sign</b> — the key signs {@code keccak256("\x19Ethereum Signed
 *       Message:\n" ‖ len ‖ message)}, which can never be a valid transaction hash, so a signature
 *       taken from our events cannot be replayed on chain. Worker registrations sign the 32-byte
 *       digest {@code keccak256(abi.encodePacked(uint256 timestamp))} this way ({@link
 *       #signTimestamp}); later events use {@link #signPersonal} over their own bytes.
 * </ul>
 *
 * A signature of one form recovers to some unrelated address under the other, so the {@code
 * verify…} methods answer {@code false} for it. Malformed input (not hex, not 65 bytes, bad v,
 * non-canonical s) throws {@link InvalidSignatureException} naming the problem.
 */
public final class Signatures {
    /** Length of a signature in bytes: r (32) ‖ s (32) ‖ v (1). */
    public static final int SIGNATURE_BYTES = 65;

    private static final BigInteger CURVE_ORDER = Sign.CURVE_PARAMS.getN();
    private static final BigInteger HALF_CURVE_ORDER = CURVE_ORDER.shiftRight(1);

    private Signatures() {}

    // ---- (a) the storage API's raw-digest form -------------------------------------------

    /** {@code keccak256(abi.encodePacked(string jobId, uint256 signedtimeMs))}. */
    public static byte[] storageDigest(String jobId, long signedtimeMs) {
        Objects.requireNonNull(jobId, "jobId");
        byte[] id = jobId.getBytes(StandardCharsets.UTF_8);
        byte[] packed = Arrays.copyOf(id, id.length + 32);
        System.arraycopy(uint256(signedtimeMs), 0, packed, id.length, 32);
        return Hash.sha3(packed);
    }

    /** Signs a storage API request (no EIP-191 prefix), {@code signedtimeMs} in milliseconds. */
    public static String signStorageRequest(
            NodeIdentity identity, String jobId, long signedtimeMs) {
        return signRawDigest(identity, storageDigest(jobId, signedtimeMs));
    }

    /** The checksummed address that signed a storage API request. */
    public static String recoverStorageSigner(String jobId, long signedtimeMs, String signature) {
        return recoverRawDigestSigner(storageDigest(jobId, signedtimeMs), signature);
    }

    /** Whether {@code signature} is {@code expectedAddress}'s storage request signature. */
    public static boolean verifyStorageRequest(
            String jobId, long signedtimeMs, String signature, String expectedAddress) {
        return sameAddress(recoverStorageSigner(jobId, signedtimeMs, signature), expectedAddress);
    }

    // ---- (b) our internal EIP-191 form over a timestamp ----------------------------------

    /** {@code keccak256(abi.encodePacked(uint256 timestampMs))}. */
    public static byte[] timestampDigest(long timestampMs) {
        return Hash.sha3(uint256(timestampMs));
    }

    /** EIP-191 personal signature of {@link #timestampDigest} (a worker registration's proof). */
    public static String signTimestamp(NodeIdentity identity, long timestampMs) {
        return signPersonal(identity, timestampDigest(timestampMs));
    }

    /** The checksummed address that signed {@code timestampMs} with {@link #signTimestamp}. */
    public static String recoverTimestampSigner(long timestampMs, String signature) {
        return recoverPersonalSigner(timestampDigest(timestampMs), signature);
    }

    /** Whether {@code signature} is {@code expectedAddress}'s {@link #signTimestamp}. */
    public static boolean verifyTimestamp(
            long timestampMs, String signature, String expectedAddress) {
        return sameAddress(recoverTimestampSigner(timestampMs, signature), expectedAddress);
    }

    // ---- general forms -------------------------------------------------------------------

    /** EIP-191 personal signature of arbitrary bytes (a 32-byte digest is signed as 32 bytes). */
    public static String signPersonal(NodeIdentity identity, byte[] message) {
        Objects.requireNonNull(message, "message");
        return toHex(Sign.signPrefixedMessage(message, identity.keyPair()));
    }

    /** The checksummed address that made an EIP-191 personal signature of {@code message}. */
    public static String recoverPersonalSigner(byte[] message, String signature) {
        Objects.requireNonNull(message, "message");
        return recoverRawDigestSigner(Sign.getEthereumMessageHash(message), signature);
    }

    /** Whether {@code signature} is {@code expectedAddress}'s EIP-191 signature of the bytes. */
    public static boolean verifyPersonal(byte[] message, String signature, String expectedAddress) {
        return sameAddress(recoverPersonalSigner(message, signature), expectedAddress);
    }

    /** Signs a 32-byte digest as is. Use only where an outside service expects it. */
    public static String signRawDigest(NodeIdentity identity, byte[] digest) {
        requireDigest(digest);
        return toHex(Sign.signMessage(digest, identity.keyPair(), false));
    }

    /** The checksummed address that signed the 32-byte {@code digest} as is. */
    public static String recoverRawDigestSigner(byte[] digest, String signature) {
        requireDigest(digest);
        Sign.SignatureData data = parse(signature);
        try {
            BigInteger publicKey = Sign.signedMessageHashToKey(digest, data);
            return Keys.toChecksumAddress(Keys.getAddress(publicKey));
        } catch (SignatureException | IllegalArgumentException e) {
            throw new InvalidSignatureException(
                    "no public key can be recovered from the signature: " + e.getMessage());
        }
    }

    /**
     * Parses and validates {@code 0x} + 130 hex digits (the prefix is optional). v may be 27/28 or
     * 0/1 (some signers emit the bare recovery id); s must be in the lower half of the curve order,
     * as every Ethereum signer produces, so one message has exactly one accepted signature.
     */
    public static Sign.SignatureData parse(String signature) {
        if (signature == null || signature.isBlank()) {
            throw new InvalidSignatureException("signature is missing");
        }
        String hex = signature.startsWith("0x") ? signature.substring(2) : signature;
        for (int i = 0; i < hex.length(); i++) {
            if (Character.digit(hex.charAt(i), 16) < 0) {
                throw new InvalidSignatureException(
                        "signature is not hex: unexpected '"
                                + printable(hex.charAt(i))
                                + "' at position "
                                + i);
            }
        }
        if (hex.length() != SIGNATURE_BYTES * 2) {
            throw new InvalidSignatureException(
                    "signature must be 65 bytes (130 hex digits after 0x), got "
                            + hex.length()
                            + " hex digits");
        }
        byte[] raw = new byte[SIGNATURE_BYTES];
        for (int i = 0; i < raw.length; i++) {
            raw[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
        }
        int v = raw[64] & 0xff;
        if (v == 0 || v == 1) {
            v += 27;
        }
        if (v != 27 && v != 28) {
            throw new InvalidSignatureException(
                    "signature v must be 27 or 28 (or 0/1), got " + (raw[64] & 0xff));
        }
        byte[] r = Arrays.copyOfRange(raw, 0, 32);
        byte[] s = Arrays.copyOfRange(raw, 32, 64);
        checkScalar("r", new BigInteger(1, r));
        BigInteger sValue = new BigInteger(1, s);
        checkScalar("s", sValue);
        if (sValue.compareTo(HALF_CURVE_ORDER) > 0) {
            throw new InvalidSignatureException(
                    "signature s is in the upper half of the curve order (non-canonical)");
        }
        return new Sign.SignatureData((byte) v, r, s);
    }

    /** {@code 0x} + hex of r ‖ s ‖ v. */
    public static String toHex(Sign.SignatureData data) {
        StringBuilder sb = new StringBuilder(2 + SIGNATURE_BYTES * 2).append("0x");
        for (byte[] part : new byte[][] {data.getR(), data.getS(), data.getV()}) {
            for (byte b : part) {
                sb.append(Character.forDigit((b >> 4) & 0xf, 16))
                        .append(Character.forDigit(b & 0xf, 16));
            }
        }
        return sb.toString();
    }

    /** Case-insensitive address comparison; {@code false} when either is null. */
    public static boolean sameAddress(String a, String b) {
        return a != null && b != null && a.equalsIgnoreCase(b);
    }

    private static void checkScalar(String name, BigInteger value) {
        if (value.signum() == 0 || value.compareTo(CURVE_ORDER) >= 0) {
            throw new InvalidSignatureException(
                    "signature " + name + " is out of range (zero or ≥ the curve order)");
        }
    }

    private static void requireDigest(byte[] digest) {
        if (digest == null || digest.length != 32) {
            throw new IllegalArgumentException(
                    "digest must be 32 bytes, got " + (digest == null ? "null" : digest.length));
        }
    }

    private static byte[] uint256(long value) {
        if (value < 0) {
            throw new IllegalArgumentException("a uint256 cannot be negative: " + value);
        }
        byte[] out = new byte[32];
        for (int i = 0; i < 8; i++) {
            out[31 - i] = (byte) (value >>> (8 * i));
        }
        return out;
    }

    private static String printable(char c) {
        return Character.isISOControl(c) ? String.format("\\u%04x", (int) c) : String.valueOf(c);
    }
}
