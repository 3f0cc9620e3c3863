package io.emeth.schemas.registry;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import org.apache.avro.Schema;

/**
 * A registry held in memory, with the same rules and error codes as the server, for {@code
 * TopologyTestDriver} tests only. Selected with a {@code mock://scope} URL as in Confluent's serde:
 * every client of one scope in a JVM sees the same registry, so a serializer and a deserializer
 * configured separately agree on ids.
 */
public final class InMemorySchemaRegistry implements SchemaRegistryClient {
    public static final String MOCK_URL_PREFIX = "mock://";

    // the scope table is the point of mock:// URLs: it lets independently configured serdes meet
    private static final ConcurrentMap<String, InMemorySchemaRegistry> SCOPES =
            new ConcurrentHashMap<>();

    private final String scope;
    private final RegistryState state = new RegistryState();

    public InMemorySchemaRegistry() {
        this("unscoped");
    }

    private InMemorySchemaRegistry(String scope) {
        this.scope = scope;
    }

    /** The registry of the scope, created on first use. */
    public static InMemorySchemaRegistry forScope(String scope) {
        return SCOPES.computeIfAbsent(scope, InMemorySchemaRegistry::new);
    }

    /** Forgets a scope, so a later test starts from an empty registry. */
    public static void dropScope(String scope) {
        SCOPES.remove(scope);
    }

    @Override
    public int register(String subject, Schema schema) {
        synchronized (state) {
            RegistryState.Registration registration = state.prepareRegistration(subject, schema);
            if (registration instanceof RegistryState.Append append) {
                state.apply(append.record());
                return append.record().id();
            }
            return ((RegistryState.Existing) registration).registered().id();
        }
    }

    @Override
    public RegisteredSchema lookup(String subject, Schema schema) {
        return state.lookup(subject, schema);
    }

    @Override
    public Schema schemaById(int id) {
        return state.schemaById(id);
    }

    @Override
    public RegisteredSchema latest(String subject) {
        return state.version(subject, -1);
    }

    @Override
    public RegisteredSchema version(String subject, int version) {
        return state.version(subject, version);
    }

    @Override
    public List<String> subjects() {
        return state.subjects();
    }

    @Override
    public List<Integer> versions(String subject) {
        return state.versions(subject);
    }

    @Override
    public CompatibilityCheck testCompatibility(String subject, Schema schema) {
        return state.testCompatibility(subject, -1, schema);
    }

    @Override
    public CompatibilityLevel compatibility() {
        return state.globalCompatibility();
    }

    @Override
    public void setCompatibility(CompatibilityLevel level) {
        state.apply(new ConfigRecord(null, level));
    }

    @Override
    public Optional<CompatibilityLevel> subjectCompatibility(String subject) {
        return state.subjectCompatibility(subject);
    }

    @Override
    public void setSubjectCompatibility(String subject, CompatibilityLevel level) {
        state.apply(new ConfigRecord(subject, level));
    }

    @Override
    public void deleteSubjectCompatibility(String subject) {
        state.apply(new ConfigRecord(subject, null));
    }

    @Override
    public String target() {
        return MOCK_URL_PREFIX + scope;
    }
}
