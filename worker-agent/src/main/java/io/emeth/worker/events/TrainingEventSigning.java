package io.emeth.worker.events;

import io.emeth.common.eth.InvalidSignatureException;
import io.emeth.common.eth.NodeIdentity;
import io.emeth.common.eth.Signatures;
import io.emeth.schemas.avro.ModelRef;
import io.emeth.schemas.avro.training.RejectedShard;
import io.emeth.schemas.avro.training.ResultUploaded;
import io.emeth.schemas.avro.training.RoundAggregated;
import io.emeth.schemas.avro.training.ShardTrained;
import io.emeth.schemas.avro.training.TrainingEvent;
import io.emeth.schemas.avro.training.TrainingFailed;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.web3j.crypto.Hash;

/**
 * The signature on every {@code training-events} record: an EIP-191 personal signature by the
 * worker's key over the event's signing digest, so that the master and the aggregator reject an
 * event a worker did not make.
 *
 * <p>The digest is {@code keccak256(packed)} where {@code packed} concatenates, in this order:
 *
 * <pre>
 * str("emeth.TrainingEvent.v1") ‖ str(kind) ‖ str(jobId) ‖ i64(attempt) ‖ str(worker) ‖ i64(at ms)
 * ‖ the payload's fields:
 *   ShardTrained    i64(epoch) ‖ i64(rank) ‖ ref(model) ‖ f64(loss) ‖ i64(tokens) ‖ i64(durationMs)
 *   RoundAggregated i64(epoch) ‖ ref(globalModel) ‖ f64(validationLoss) ‖ str(hashChainLink)
 *                   ‖ list(str contributor) ‖ list(str worker ‖ str reason)
 *                   [‖ list(str acceptedShard) ‖ opt(ref outerMomentum)]  (only when either is set,
 *                   so a round published before these fields keeps its digest)
 *   ResultUploaded  str(resultFileName) ‖ ref(model) ‖ str(hashChain) ‖ opt(f64 validationLoss)
 *   TrainingFailed  i64(epoch) ‖ str(reason) ‖ opt(str phase name)
 * </pre>
 *
 * where {@code kind} is the payload record's name, {@code str(s)} = uint32 big-endian byte length ‖
 * UTF-8 bytes, {@code i64} = 8-byte big-endian two's complement, {@code f64} = the 8-byte
 * big-endian IEEE-754 bits, {@code ref(m)} = str(uri) ‖ str(sha256) ‖ i64(sizeBytes), {@code
 * opt(x)} = 0x00 when null else 0x01 ‖ x, and {@code list} = uint32 count ‖ items. Strings are
 * signed exactly as they appear in the event (no case folding). The encoding is length-prefixed, so
 * no two events share a digest, and it does not depend on the Avro schema version, so a reader with
 * a newer schema verifies an older event.
 */
public final class TrainingEventSigning {

    /** The domain tag that starts every digest; a new layout gets a new tag. */
    public static final String DOMAIN = "emeth.TrainingEvent.v1";

    private TrainingEventSigning() {}

    /** The 32-byte digest the worker signs (the {@code signature} field is not part of it). */
    public static byte[] digest(TrainingEvent event) {
        Packer p = new Packer();
        Object payload = event.getPayload();
        p.str(DOMAIN).str(kind(payload));
        p.str(event.getJobId()).i64(event.getAttempt()).str(event.getWorker());
        p.i64(event.getAt().toEpochMilli());
        if (payload instanceof ShardTrained s) {
            p.i64(s.getEpoch()).i64(s.getRank()).ref(s.getModel()).f64(s.getLoss());
            p.i64(s.getTokens()).i64(s.getDurationMs());
        } else if (payload instanceof RoundAggregated r) {
            p.i64(r.getEpoch()).ref(r.getGlobalModel()).f64(r.getValidationLoss());
            p.str(r.getHashChainLink());
            List<String> contributors = r.getContributors();
            p.count(contributors.size());
            contributors.forEach(p::str);
            List<RejectedShard> rejected = r.getRejectedShards();
            p.count(rejected.size());
            rejected.forEach(x -> p.str(x.getWorker()).str(x.getReason()));
            List<String> accepted = r.getAcceptedShards();
            if (!accepted.isEmpty() || r.getOuterMomentum() != null) {
                p.count(accepted.size());
                accepted.forEach(p::str);
                p.present(r.getOuterMomentum() != null);
                if (r.getOuterMomentum() != null) {
                    p.ref(r.getOuterMomentum());
                }
            }
        } else if (payload instanceof ResultUploaded u) {
            p.str(u.getResultFileName()).ref(u.getModel()).str(u.getHashChain());
            p.present(u.getValidationLoss() != null);
            if (u.getValidationLoss() != null) {
                p.f64(u.getValidationLoss());
            }
        } else if (payload instanceof TrainingFailed f) {
            p.i64(f.getEpoch()).str(f.getReason());
            p.present(f.getPhase() != null);
            if (f.getPhase() != null) {
                p.str(f.getPhase().name());
            }
        }
        return Hash.sha3(p.bytes());
    }

    /** {@code event} with its {@code signature} set by {@code identity}. */
    public static TrainingEvent sign(TrainingEvent event, NodeIdentity identity) {
        TrainingEvent copy = TrainingEvent.newBuilder(event).setSignature("").build();
        copy.setSignature(Signatures.signPersonal(identity, digest(copy)));
        return copy;
    }

    /**
     * Why {@code event}'s signature is not valid for its {@code worker}, or null when it is: a
     * malformed signature, or one made by another key.
     */
    public static String problem(TrainingEvent event) {
        try {
            String signer = Signatures.recoverPersonalSigner(digest(event), event.getSignature());
            if (!Signatures.sameAddress(signer, event.getWorker())) {
                return "signed by " + signer + ", not by the event's worker " + event.getWorker();
            }
            return null;
        } catch (InvalidSignatureException e) {
            return "malformed signature: " + e.getMessage();
        }
    }

    /** Whether {@code event} carries a valid signature by its {@code worker}. */
    public static boolean verify(TrainingEvent event) {
        return problem(event) == null;
    }

    /** The payload's record name, e.g. {@code ShardTrained}. */
    static String kind(Object payload) {
        return payload == null ? "null" : payload.getClass().getSimpleName();
    }

    /** The length-prefixed big-endian packing described in the class comment. */
    private static final class Packer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream(256);

        Packer str(String value) {
            byte[] bytes = (value == null ? "" : value).getBytes(StandardCharsets.UTF_8);
            count(bytes.length);
            out.writeBytes(bytes);
            return this;
        }

        Packer i64(long value) {
            out.writeBytes(ByteBuffer.allocate(Long.BYTES).putLong(value).array());
            return this;
        }

        Packer f64(double value) {
            return i64(Double.doubleToRawLongBits(value));
        }

        Packer ref(ModelRef ref) {
            return ref == null
                    ? str("").str("").i64(-1)
                    : str(ref.getUri()).str(ref.getSha256()).i64(ref.getSizeBytes());
        }

        Packer count(int n) {
            out.writeBytes(ByteBuffer.allocate(Integer.BYTES).putInt(n).array());
            return this;
        }

        Packer present(boolean present) {
            out.write(present ? 1 : 0);
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }
}
