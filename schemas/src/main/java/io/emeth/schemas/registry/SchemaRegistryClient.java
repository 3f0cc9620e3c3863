package io.emeth.schemas.registry;

import java.util.List;
import java.util.Optional;
import org.apache.avro.Schema;

/**
 * The subset of the Confluent Schema Registry API the project uses. Implemented over HTTP by {@link
 * RestSchemaRegistryClient} (Confluent, Apicurio ccompat, Karapace, our own server) and in memory
 * by {@link InMemorySchemaRegistry} for {@code TopologyTestDriver} tests.
 *
 * <p>Every method throws {@link SchemaRegistryException} with the registry's status and error code.
 */
public interface SchemaRegistryClient {

    /**
     * Registers the schema under the subject, or returns its id when it is already registered
     * there. Refused with 409 when it is not compatible with the subject's earlier versions.
     */
    int register(String subject, Schema schema);

    /** The subject's version holding exactly this schema; 40401 / 40403 when there is none. */
    RegisteredSchema lookup(String subject, Schema schema);

    /** The id of the schema under the subject, without registering it. */
    default int idOf(String subject, Schema schema) {
        return lookup(subject, schema).id();
    }

    /** The schema with this global id; 40403 when the id is unknown. */
    Schema schemaById(int id);

    /** The subject's latest version; 40401 when the subject has none. */
    RegisteredSchema latest(String subject);

    /** One version of the subject; 40401 / 40402 when absent. */
    RegisteredSchema version(String subject, int version);

    /** Every subject with at least one version. */
    List<String> subjects();

    /** The subject's version numbers, oldest first; 40401 when the subject is unknown. */
    List<Integer> versions(String subject);

    /**
     * Tests the schema against the subject's versions under the subject's level (the latest, or all
     * for a transitive level). A subject without versions accepts any schema.
     */
    CompatibilityCheck testCompatibility(String subject, Schema schema);

    /** The registry-wide compatibility level. */
    CompatibilityLevel compatibility();

    void setCompatibility(CompatibilityLevel level);

    /** The subject's own level; empty when the subject follows the global one. */
    Optional<CompatibilityLevel> subjectCompatibility(String subject);

    void setSubjectCompatibility(String subject, CompatibilityLevel level);

    /** Makes the subject follow the global level again. */
    void deleteSubjectCompatibility(String subject);

    /** Where this client points (a URL or {@code mock://scope}), for error messages. */
    String target();
}
