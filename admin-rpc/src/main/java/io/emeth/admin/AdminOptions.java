package io.emeth.admin;

import io.emeth.admin.http.AdminHttpServer;
import io.emeth.admin.sink.SinkSettings;
import java.util.List;
import java.util.Objects;

/**
 * Settings of {@code emeth admin-rpc} beyond {@code config/master.json} (launcher flags).
 *
 * @param trustedProxies reverse proxies whose {@code X-Forwarded-For} is believed (addresses or
 *     CIDR ranges); empty: the header is ignored
 * @param bindHost the address to listen on; null: every interface, on the port of {@code my_url}
 * @param maxBodyBytes largest JSON-RPC body
 * @param topicPrefix prefix of every topic name (tests); empty in production
 * @param sinkGroupId the sink's consumer group
 * @param runSink whether this process runs the JDBC sink (off for a second, read-only instance)
 */
public record AdminOptions(
        List<String> trustedProxies,
        String bindHost,
        int maxBodyBytes,
        String topicPrefix,
        String sinkGroupId,
        boolean runSink) {
    public AdminOptions {
        trustedProxies = List.copyOf(trustedProxies);
        Objects.requireNonNull(topicPrefix, "topicPrefix");
        Objects.requireNonNull(sinkGroupId, "sinkGroupId");
    }

    /** No trusted proxy, every interface, 1 MiB bodies, the production topics, the sink on. */
    public static AdminOptions defaults() {
        return new AdminOptions(
                List.of(),
                null,
                AdminHttpServer.DEFAULT_MAX_BODY_BYTES,
                "",
                SinkSettings.DEFAULT_GROUP_ID,
                true);
    }

    public AdminOptions withTrustedProxies(List<String> value) {
        return new AdminOptions(value, bindHost, maxBodyBytes, topicPrefix, sinkGroupId, runSink);
    }

    public AdminOptions withBindHost(String value) {
        return new AdminOptions(
                trustedProxies, value, maxBodyBytes, topicPrefix, sinkGroupId, runSink);
    }

    public AdminOptions withTopicPrefix(String value) {
        return new AdminOptions(
                trustedProxies, bindHost, maxBodyBytes, value, sinkGroupId, runSink);
    }

    public AdminOptions withSinkGroupId(String value) {
        return new AdminOptions(
                trustedProxies, bindHost, maxBodyBytes, topicPrefix, value, runSink);
    }

    public AdminOptions withRunSink(boolean value) {
        return new AdminOptions(
                trustedProxies, bindHost, maxBodyBytes, topicPrefix, sinkGroupId, value);
    }
}
