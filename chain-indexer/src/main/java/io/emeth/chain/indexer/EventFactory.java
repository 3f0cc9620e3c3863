package io.emeth.chain.indexer;

import io.emeth.chain.indexer.DecodedLog.Canceled;
import io.emeth.chain.indexer.DecodedLog.Penalized;
import io.emeth.chain.indexer.DecodedLog.Requested;
import io.emeth.chain.indexer.DecodedLog.Rewarded;
import io.emeth.chain.indexer.DecodedLog.StatusChanged;
import io.emeth.chain.indexer.Emission.Kind;
import io.emeth.schemas.avro.ChainPosition;
import io.emeth.schemas.avro.JobStatus;
import io.emeth.schemas.avro.chain.ChainAlert;
import io.emeth.schemas.avro.chain.ChainJobEvent;
import io.emeth.schemas.avro.chain.ChainLogRejected;
import io.emeth.schemas.avro.chain.ChainNodeEvent;
import io.emeth.schemas.avro.chain.ChainReorgDetected;
import io.emeth.schemas.avro.chain.IndexerCheckpoint;
import io.emeth.schemas.avro.chain.JobCanceled;
import io.emeth.schemas.avro.chain.JobEventsRewound;
import io.emeth.schemas.avro.chain.JobRequested;
import io.emeth.schemas.avro.chain.JobStatusChanged;
import io.emeth.schemas.avro.chain.PenaltyApplied;
import io.emeth.schemas.avro.chain.RecentBlock;
import io.emeth.schemas.avro.chain.RewardGranted;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Turns decoded logs into the Avro records of {@code chain-job-events}, {@code chain-node-events}
 * and {@code chain-alerts}, keyed as the architecture says (job id, node address, contract
 * address). Pure apart from the clock that stamps alerts and checkpoints.
 */
final class EventFactory {
    private final String contract;
    private final Clock clock;

    EventFactory(String contract, Clock clock) {
        this.contract = contract;
        this.clock = clock;
    }

    /**
     * The {@code JobRequested} of {@code log}, or a rejection when its details are unusable.
     *
     * @param sizeBytes the data set's size from the storage API, null when unknown
     * @param blockTimestamp seconds, of the block holding the log
     */
    Emission requested(
            ChainLog log, Requested r, JobDetails details, Long sizeBytes, long blockTimestamp) {
        Optional<String> problem = details.problem(r.jobId());
        if (problem.isPresent()) {
            return rejected(log, problem.get());
        }
        JobRequested payload =
                JobRequested.newBuilder()
                        .setOwner(r.owner())
                        .setFee(new BigDecimal(r.fee()))
                        .setDeadline(Instant.ofEpochSecond(r.deadlineSeconds()))
                        .setProgramId(details.programId().longValueExact())
                        .setDataset(details.dataset())
                        .setParam(details.param())
                        .setDatasetSizeBytes(sizeBytes)
                        .setRequestedAt(Instant.ofEpochSecond(blockTimestamp))
                        .build();
        return job(log, r.jobId(), payload);
    }

    /** The event of a log that needs no enrichment. */
    Emission plain(ChainLog log, DecodedLog decoded) {
        if (decoded instanceof StatusChanged s) {
            return job(
                    log,
                    s.jobId(),
                    JobStatusChanged.newBuilder()
                            .setNode(s.node())
                            .setStatus(JobStatus.values()[s.status()])
                            .build());
        }
        if (decoded instanceof Canceled c) {
            return job(log, c.jobId(), JobCanceled.newBuilder().build());
        }
        if (decoded instanceof Rewarded r) {
            return node(
                    log,
                    r.node(),
                    RewardGranted.newBuilder().setSlot(r.slot()).setGas(r.gas()).build());
        }
        if (decoded instanceof Penalized p) {
            return node(
                    log,
                    p.node(),
                    PenaltyApplied.newBuilder().setSlashed(new BigDecimal(p.slashed())).build());
        }
        throw new IllegalArgumentException("not a plain event: " + decoded);
    }

    /** A {@code ChainLogRejected} alert carrying the raw log. */
    Emission rejected(ChainLog log, String reason) {
        ChainLogRejected payload =
                ChainLogRejected.newBuilder().setReason(reason).setLog(log.raw()).build();
        return alert(payload);
    }

    /**
     * A {@code ChainReorgDetected} alert; {@code beyondWindow}: no recorded block is on the chain
     * any more, the fork point lies below {@code forkBlockNumber}.
     */
    Emission reorg(
            long forkBlockNumber, int depth, String oldHash, String newHash, boolean beyondWindow) {
        return alert(
                ChainReorgDetected.newBuilder()
                        .setForkBlockNumber(forkBlockNumber)
                        .setDepth(depth)
                        .setOldHash(oldHash)
                        .setNewHash(newHash)
                        .setBeyondWindow(beyondWindow)
                        .build());
    }

    /**
     * A {@code JobEventsRewound} for {@code jobId}: its events from {@code fork + 1} on are void.
     * The position is the fork point, with no transaction and log index -1.
     */
    Emission rewound(String jobId, BlockRef fork) {
        ChainJobEvent event =
                ChainJobEvent.newBuilder()
                        .setJobId(jobId)
                        .setPosition(
                                ChainPosition.newBuilder()
                                        .setBlockNumber(fork.number())
                                        .setBlockHash(fork.hashKnown() ? fork.hash() : "")
                                        .setTxHash("")
                                        .setLogIndex(-1)
                                        .build())
                        .setPayload(
                                JobEventsRewound.newBuilder()
                                        .setFromBlock(fork.number() + 1)
                                        .build())
                        .build();
        return new Emission(Kind.JOB_EVENT, jobId, event);
    }

    /** The checkpoint at {@code block} carrying the hash window {@code recent}. */
    IndexerCheckpoint checkpoint(BlockRef block, List<RecordedBlock> recent) {
        return IndexerCheckpoint.newBuilder()
                .setContract(contract)
                .setBlockNumber(block.number())
                .setBlockHash(block.hashKnown() ? block.hash() : "")
                .setRecordedAt(clock.instant())
                .setRecentBlocks(
                        recent.stream()
                                .map(
                                        b ->
                                                RecentBlock.newBuilder()
                                                        .setNumber(b.number())
                                                        .setHash(b.hash().orElse(""))
                                                        .setJobIds(b.jobIds())
                                                        .build())
                                .toList())
                .build();
    }

    private Emission alert(Object payload) {
        ChainAlert alert =
                ChainAlert.newBuilder()
                        .setContract(contract)
                        .setDetectedAt(clock.instant())
                        .setPayload(payload)
                        .build();
        return new Emission(Kind.ALERT, contract, alert);
    }

    private Emission job(ChainLog log, String jobId, Object payload) {
        ChainJobEvent event =
                ChainJobEvent.newBuilder()
                        .setJobId(jobId)
                        .setPosition(log.position())
                        .setPayload(payload)
                        .build();
        return new Emission(Kind.JOB_EVENT, jobId, event);
    }

    private Emission node(ChainLog log, String node, Object payload) {
        ChainNodeEvent event =
                ChainNodeEvent.newBuilder()
                        .setNode(node)
                        .setPosition(log.position())
                        .setPayload(payload)
                        .build();
        return new Emission(Kind.NODE_EVENT, node, event);
    }
}
