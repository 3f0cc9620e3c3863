package io.emeth.storage.dev;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and checks the dev server's own download and part-upload URLs, the way S3 presigns them: an
 * HMAC-SHA256 over method, path and expiry with a secret kept in the storage root, so that URLs
 * handed out before a restart stay valid after it.
 */
final class UrlSigner {
    static final String EXPIRES = "expires";
    static final String SIGNATURE = "signature";
    private static final String SECRET_FILE = ".url-secret";

    private final byte[] secret;

    private UrlSigner(byte[] secret) {
        this.secret = secret;
    }

    /** The signer of {@code root}, creating its secret (owner-only) on first use. */
    static UrlSigner open(Path root) throws IOException {
        Path file = root.resolve(SECRET_FILE);
        if (!Files.exists(file)) {
            byte[] fresh = new byte[32];
            new SecureRandom().nextBytes(fresh);
            Path tmp = Files.createTempFile(root, ".secret-", ".tmp");
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                Files.writeString(tmp, HexFormat.of().formatHex(fresh), StandardCharsets.US_ASCII);
                Files.createLink(file, tmp);
            } catch (FileAlreadyExistsException raced) {
                // another server on the same root created it first; use theirs
            } finally {
                Files.deleteIfExists(tmp);
            }
        }
        String hex = Files.readString(file, StandardCharsets.US_ASCII).strip();
        try {
            byte[] secret = HexFormat.of().parseHex(hex);
            if (secret.length < 16) {
                throw new IOException(file + ": URL secret is too short; delete the file");
            }
            return new UrlSigner(secret);
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": URL secret is not hex; delete the file", e);
        }
    }

    /** The query string ({@code expires=…&signature=…}) that authorizes {@code method path}. */
    String query(String method, String path, Instant expires) {
        long epoch = expires.getEpochSecond();
        return EXPIRES + "=" + epoch + "&" + SIGNATURE + "=" + mac(method, path, epoch);
    }

    /**
     * Checks a presented URL.
     *
     * @throws DevStorageException 403 when the signature is missing, wrong or expired
     */
    void verify(String method, String path, String expires, String signature, Instant now) {
        if (expires == null || signature == null || !expires.matches("\\d{1,12}")) {
            throw new DevStorageException(
                    403, "url_signature_missing", "URL has no valid expires/signature parameters");
        }
        long epoch = Long.parseLong(expires);
        byte[] expected = mac(method, path, epoch).getBytes(StandardCharsets.US_ASCII);
        byte[] given = signature.getBytes(StandardCharsets.US_ASCII);
        if (!MessageDigest.isEqual(expected, given)) {
            throw new DevStorageException(
                    403,
                    "url_signature_invalid",
                    "URL signature does not match " + method + " " + path);
        }
        if (now.getEpochSecond() > epoch) {
            throw new DevStorageException(
                    403,
                    "url_expired",
                    "URL expired at " + Instant.ofEpochSecond(epoch) + "; ask for a new one");
        }
    }

    private String mac(String method, String path, long expires) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            String input = method + "\n" + path + "\n" + expires;
            return HexFormat.of().formatHex(mac.doFinal(input.getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 unavailable", e);
        }
    }
}
