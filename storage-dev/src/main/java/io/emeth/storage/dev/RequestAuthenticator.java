package io.emeth.storage.dev;

import com.fasterxml.jackson.databind.JsonNode;
import io.emeth.common.eth.Addresses;
import io.emeth.common.eth.InvalidSignatureException;
import io.emeth.common.eth.Signatures;
import io.emeth.common.storage.StorageApi;
import java.time.Duration;
import java.time.Instant;

/**
 * Checks the signature on a storage API request as the real service does: {@code sig} must be the
 * raw-digest signature by {@code address} of {@code keccak256(abi.encodePacked(jobId,
 * signedtime))}, and {@code signedtime} (milliseconds) within the allowed skew of the server's
 * clock. Every refusal is a 401 whose reason says which of these failed.
 */
final class RequestAuthenticator {
    /** The authenticated parts of a request. */
    record Signed(String jobId, String address, long signedtime) {}

    private final Duration maxSkew;

    RequestAuthenticator(Duration maxSkew) {
        this.maxSkew = maxSkew;
    }

    Signed authenticate(JsonNode body, Instant now) {
        String jobId = Names.jobId(text(body, StorageApi.JOB_ID));
        String address = text(body, StorageApi.ADDRESS);
        if (!Addresses.isValid(address)) {
            throw DevStorageException.badRequest(
                    "address must be an Ethereum address (0x + 40 hex digits): '"
                            + Names.printable(address)
                            + "'");
        }
        long signedtime = signedtime(body);
        long skew = Math.abs(now.toEpochMilli() - signedtime);
        if (skew > maxSkew.toMillis()) {
            String hint =
                    signedtime < 100_000_000_000L
                            ? "; it looks like seconds, signedtime is in milliseconds"
                            : "; sign with the current time in milliseconds";
            throw unauthorized(
                    "signedtime_out_of_window",
                    "signedtime "
                            + signedtime
                            + " is "
                            + skew
                            + " ms away from the server's clock (allowed ±"
                            + maxSkew.toMillis()
                            + " ms)"
                            + hint);
        }
        String sig = text(body, StorageApi.SIG);
        String signer;
        try {
            signer = Signatures.recoverStorageSigner(jobId, signedtime, sig);
        } catch (InvalidSignatureException e) {
            throw unauthorized("bad_signature", "sig: " + e.getMessage());
        }
        if (!Signatures.sameAddress(signer, address)) {
            throw unauthorized(
                    "signer_mismatch",
                    "sig was made by "
                            + signer
                            + ", not by address "
                            + address
                            + " (or over another jobId/signedtime)");
        }
        return new Signed(jobId, Addresses.checksummed(address), signedtime);
    }

    private static long signedtime(JsonNode body) {
        JsonNode node = body.get(StorageApi.SIGNED_TIME);
        if (node != null && node.canConvertToLong() && node.isIntegralNumber()) {
            return node.asLong();
        }
        if (node != null && node.isTextual() && node.asText().matches("\\d{1,18}")) {
            return Long.parseLong(node.asText());
        }
        throw DevStorageException.badRequest(
                "signedtime must be a whole number of milliseconds, got "
                        + (node == null ? "(missing)" : Names.printable(node.toString())));
    }

    static String text(JsonNode body, String field) {
        JsonNode node = body.get(field);
        if (node == null || !node.isTextual()) {
            if (StorageApi.SIG.equals(field)) {
                throw unauthorized("bad_signature", "sig is missing");
            }
            throw DevStorageException.badRequest(
                    field
                            + " must be a string, got "
                            + (node == null ? "(missing)" : Names.printable(node.toString())));
        }
        return node.asText();
    }

    private static DevStorageException unauthorized(String reason, String message) {
        return new DevStorageException(401, reason, message);
    }
}
