package io.emeth.admin;

import io.emeth.common.config.KafkaSettings;
import io.emeth.schemas.Topics;
import io.emeth.schemas.registry.SerdeConfig;
import java.util.HashMap;
import java.util.Map;

/** The topic catalog for a node's Kafka settings: registry URL plus any registry credentials. */
public final class NodeTopics {
    private NodeTopics() {}

    /** The topics (names prefixed by {@code prefix}) with serdes using the node's registry. */
    public static Topics create(KafkaSettings kafka, String prefix) {
        Map<String, Object> serde = new HashMap<>(kafka.properties());
        serde.put(SerdeConfig.REGISTRY_URL, kafka.schemaRegistryUrl().toString());
        return Topics.create(SerdeConfig.fromMap(serde), prefix);
    }
}
