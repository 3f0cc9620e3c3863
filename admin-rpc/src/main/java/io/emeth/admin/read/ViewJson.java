package io.emeth.admin.read;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.emeth.admin.read.Views.Contribution;
import io.emeth.admin.read.Views.JobDetail;
import io.emeth.admin.read.Views.JobRow;
import io.emeth.admin.read.Views.JobSummary;
import io.emeth.admin.read.Views.LossPoint;
import io.emeth.admin.read.Views.TrainingLogEntry;
import io.emeth.admin.read.Views.WorkerRow;
import io.emeth.contracts.JobStatus;
import java.math.BigDecimal;
import java.util.List;

/**
 * The JSON shapes of the read side, shared by the JSON-RPC methods and the read API the job board
 * polls, so both say the same thing. Times are epoch milliseconds; fees are wei as decimal strings
 * (they exceed what a JSON number holds exactly) with an EMT rendering beside them.
 */
public final class ViewJson {
    private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
    private static final String[] CONTRIBUTION_STATUS = {
        "NONE", "VERIFIED", "FAILED", "DISCONNECTED"
    };

    private ViewJson() {}

    /** {@code joblist}: the original columns. */
    public static ArrayNode jobList(List<JobRow> rows) {
        ArrayNode array = JSON.arrayNode();
        for (JobRow row : rows) {
            array.addObject()
                    .put("jobId", row.jobId())
                    .put("status", statusName(row.status()))
                    .put("dataSizeMb", row.dataSizeMb())
                    .put("numAttempt", row.numAttempt())
                    .put("programId", row.programId());
        }
        return array;
    }

    /** The board's job list. */
    public static ArrayNode jobs(List<JobSummary> jobs) {
        ArrayNode array = JSON.arrayNode();
        jobs.forEach(job -> array.add(summary(job)));
        return array;
    }

    /** One job with contributions and history. */
    public static ObjectNode job(JobDetail detail) {
        ObjectNode node = summary(detail.summary());
        ArrayNode contributions = node.putArray("contributions");
        for (Contribution c : detail.contributions()) {
            ObjectNode row =
                    contributions
                            .addObject()
                            .put("numAttempt", c.numAttempt())
                            .put("workerAddress", c.workerAddress())
                            .put("masterAddress", c.masterAddress())
                            .put("status", contributionStatus(c.status()))
                            .put("contribution", c.contribution());
            putNullable(row, "startedAt", c.startedAt());
            putNullable(row, "endedAt", c.endedAt());
        }
        ArrayNode history = node.putArray("history");
        for (TrainingLogEntry e : detail.history()) {
            ObjectNode row =
                    history.addObject()
                            .put("numAttempt", e.numAttempt())
                            .put("workerAddress", e.workerAddress())
                            .put("kind", e.kind())
                            .put("detail", e.detail())
                            .put("at", e.at());
            putNullable(row, "epoch", e.epoch());
            putNullable(row, "loss", e.loss());
        }
        return node;
    }

    /** The worker list. */
    public static ArrayNode workers(List<WorkerRow> workers) {
        ArrayNode array = JSON.arrayNode();
        for (WorkerRow w : workers) {
            ObjectNode row =
                    array.addObject()
                            .put("address", w.address())
                            .put("pool", w.pool())
                            .put("state", w.state())
                            .put("phase", w.phase())
                            .put("powerCapacity", w.powerCapacity())
                            .put("device", w.device())
                            .put("url", w.url())
                            .put("jobId", w.jobId())
                            .put("lastError", w.lastError())
                            .put("updatedAt", w.updatedAt());
            putNullable(row, "numAttempt", w.numAttempt());
            putNullable(row, "epoch", w.epoch());
            putNullable(row, "progress", w.progress());
            putNullable(row, "lastHeartbeatAt", w.lastHeartbeatAt());
        }
        return array;
    }

    /** The name of a contract status code, or {@code UNKNOWN(n)}. */
    public static String statusName(int code) {
        try {
            return JobStatus.fromCode(code).name();
        } catch (IllegalArgumentException e) {
            return "UNKNOWN(" + code + ")";
        }
    }

    /** Wei as EMT, exact, without trailing zeros: "20", "0.5". */
    public static String emt(String wei) {
        try {
            return new BigDecimal(wei).movePointLeft(18).stripTrailingZeros().toPlainString();
        } catch (NumberFormatException e) {
            return "?";
        }
    }

    private static ObjectNode summary(JobSummary job) {
        ObjectNode node =
                JSON.objectNode()
                        .put("jobId", job.jobId())
                        .put("state", job.state())
                        .put("fee", job.fee())
                        .put("feeEmt", emt(job.fee()))
                        .put("deadline", job.deadline())
                        .put("epoch", job.epoch())
                        .put("epochs", job.epochs())
                        .put("programId", job.programId())
                        .put("numAttempt", job.numAttempt())
                        .put("owner", job.owner())
                        .put("dataset", job.dataset())
                        .put("node", job.node())
                        .put("resultFileName", job.resultFileName())
                        .put("lastError", job.lastError())
                        .put("updatedAt", job.updatedAt());
        node.put("chainStatus", job.chainStatus() == null ? null : statusName(job.chainStatus()));
        putNullable(node, "requestedAt", job.requestedAt());
        putNullable(node, "datasetSizeBytes", job.datasetSizeBytes());
        ArrayNode losses = node.putArray("losses");
        for (LossPoint point : job.losses()) {
            losses.addObject()
                    .put("epoch", point.epoch())
                    .put("validationLoss", point.validationLoss());
        }
        return node;
    }

    private static String contributionStatus(int code) {
        return code >= 0 && code < CONTRIBUTION_STATUS.length
                ? CONTRIBUTION_STATUS[code]
                : "UNKNOWN(" + code + ")";
    }

    private static void putNullable(ObjectNode node, String field, Object value) {
        if (value == null) {
            node.putNull(field);
        } else if (value instanceof Long l) {
            node.put(field, l);
        } else if (value instanceof Integer i) {
            node.put(field, i);
        } else if (value instanceof Double d) {
            node.put(field, d);
        } else {
            node.set(field, JSON.textNode(value.toString()));
        }
    }
}
