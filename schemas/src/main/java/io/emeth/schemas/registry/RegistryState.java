package io.emeth.schemas.registry;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.avro.Schema;

/**
 * The state of a schema registry, with Confluent's rules: global ids shared by equal schemas across
 * subjects, versions per subject, compatibility levels (BACKWARD by default) checked on
 * registration.
 *
 * <p>Pure and thread-safe. Changes come only from {@link #apply} of log records, so a durable
 * registry rebuilds the same state by replaying its log; {@link #prepareRegistration} decides what
 * to append without changing anything. Shared by {@link InMemorySchemaRegistry} and the registry
 * server.
 */
public final class RegistryState {
    public static final CompatibilityLevel DEFAULT_LEVEL = CompatibilityLevel.BACKWARD;

    /** Either the version that already holds the schema, or the record to append. */
    public sealed interface Registration permits Existing, Append {}

    public record Existing(RegisteredSchema registered) implements Registration {}

    public record Append(SchemaRecord record) implements Registration {}

    /** A (subject, version) pair, as {@code GET /schemas/ids/{id}/versions} lists them. */
    public record SubjectVersion(String subject, int version) {}

    private record Stored(int id, Schema schema, String text) {}

    private final Map<Integer, Stored> byId = new HashMap<>();
    private final Map<String, Integer> idByText = new HashMap<>();
    private final Map<String, NavigableMap<Integer, Integer>> subjects = new TreeMap<>();
    private final Map<String, Integer> maxVersion = new HashMap<>();
    private final Map<String, CompatibilityLevel> subjectLevels = new HashMap<>();
    private CompatibilityLevel globalLevel = DEFAULT_LEVEL;
    private int maxId;

    /** Parses schema text as the registry accepts it (42201 naming Avro's complaint when bad). */
    public static Schema parse(String text) {
        if (text == null || text.isBlank()) {
            throw SchemaRegistryException.invalidSchema("the schema is empty", null);
        }
        try {
            return new Schema.Parser().parse(text);
        } catch (RuntimeException e) {
            throw SchemaRegistryException.invalidSchema(String.valueOf(e.getMessage()), e);
        } catch (StackOverflowError e) {
            throw SchemaRegistryException.invalidSchema("the schema is nested too deeply", null);
        }
    }

    public synchronized List<String> subjects() {
        return List.copyOf(subjects.keySet());
    }

    public synchronized List<Integer> versions(String subject) {
        return List.copyOf(versionsOf(subject).keySet());
    }

    /** A version of the subject; {@code -1} means the latest. */
    public synchronized RegisteredSchema version(String subject, int version) {
        NavigableMap<Integer, Integer> versions = versionsOf(subject);
        int wanted = version == -1 ? versions.lastKey() : version;
        Integer id = versions.get(wanted);
        if (id == null) {
            throw SchemaRegistryException.versionNotFound(subject, version);
        }
        return new RegisteredSchema(subject, wanted, id, byId.get(id).schema());
    }

    public synchronized Schema schemaById(int id) {
        return stored(id).schema();
    }

    /** The canonical JSON of the schema with this id. */
    public synchronized String schemaTextById(int id) {
        return stored(id).text();
    }

    public synchronized List<SubjectVersion> subjectVersionsOf(int id) {
        stored(id);
        List<SubjectVersion> result = new ArrayList<>();
        subjects.forEach(
                (subject, versions) ->
                        versions.forEach(
                                (version, versionId) -> {
                                    if (versionId == id) {
                                        result.add(new SubjectVersion(subject, version));
                                    }
                                }));
        return result;
    }

    /** The subject's version holding exactly this schema; 40401 / 40403 when absent. */
    public synchronized RegisteredSchema lookup(String subject, Schema schema) {
        NavigableMap<Integer, Integer> versions = versionsOf(subject);
        Integer id = idByText.get(schema.toString());
        if (id != null) {
            for (Map.Entry<Integer, Integer> entry : versions.entrySet()) {
                if (entry.getValue().equals(id)) {
                    return new RegisteredSchema(subject, entry.getKey(), id, byId.get(id).schema());
                }
            }
        }
        throw SchemaRegistryException.schemaNotFound(
                "subject '" + subject + "' has no version equal to the given schema");
    }

    public synchronized CompatibilityLevel globalCompatibility() {
        return globalLevel;
    }

    public synchronized Optional<CompatibilityLevel> subjectCompatibility(String subject) {
        return Optional.ofNullable(subjectLevels.get(subject));
    }

    public synchronized CompatibilityLevel effectiveCompatibility(String subject) {
        return subjectLevels.getOrDefault(subject, globalLevel);
    }

    /**
     * Tests the schema against the subject's version ({@code -1}: latest) under the subject's
     * level; transitive levels test every version. A subject without versions accepts anything when
     * the latest is asked for.
     */
    public synchronized CompatibilityCheck testCompatibility(
            String subject, int version, Schema schema) {
        if (!subjects.containsKey(subject) && version == -1) {
            return CompatibilityCheck.ok();
        }
        RegisteredSchema target = version(subject, version);
        CompatibilityLevel level = effectiveCompatibility(subject);
        List<Compatibility.Previous> previous =
                level.transitive() ? previousOf(subject) : List.of(previous(target));
        return CompatibilityCheck.of(Compatibility.check(level, schema, previous));
    }

    /**
     * Decides how to register the schema: the existing version when the subject already holds it,
     * else the record to append (reusing the schema's id when another subject has it).
     *
     * @throws SchemaRegistryException 409 naming the subject when the schema is not compatible
     */
    public synchronized Registration prepareRegistration(String subject, Schema schema) {
        String text = schema.toString();
        Integer knownId = idByText.get(text);
        NavigableMap<Integer, Integer> versions = subjects.get(subject);
        if (knownId != null && versions != null) {
            for (Map.Entry<Integer, Integer> entry : versions.entrySet()) {
                if (entry.getValue().equals(knownId)) {
                    return new Existing(
                            new RegisteredSchema(subject, entry.getKey(), knownId, schema));
                }
            }
        }
        CompatibilityLevel level = effectiveCompatibility(subject);
        List<String> problems =
                versions == null
                        ? List.of()
                        : Compatibility.check(level, schema, previousOf(subject));
        if (!problems.isEmpty()) {
            throw new SchemaRegistryException(
                    409,
                    SchemaRegistryException.INCOMPATIBLE_SCHEMA,
                    "Schema being registered is incompatible with an earlier schema for subject \""
                            + subject
                            + "\" (compatibility "
                            + level
                            + "), details: "
                            + problems);
        }
        int id = knownId != null ? knownId : maxId + 1;
        int version = maxVersion.getOrDefault(subject, 0) + 1;
        return new Append(new SchemaRecord(subject, version, id, text, false));
    }

    /**
     * Applies a log record. Idempotent; the first record to claim an id keeps it.
     *
     * @throws SchemaRegistryException 42201 when the record's schema does not parse
     */
    public synchronized void apply(SchemaRecord record) {
        Stored stored = byId.get(record.id());
        if (stored == null) {
            Schema schema = parse(record.schema());
            stored = new Stored(record.id(), schema, schema.toString());
            byId.put(record.id(), stored);
            idByText.putIfAbsent(stored.text(), record.id());
            idByText.putIfAbsent(record.schema(), record.id());
        }
        maxId = Math.max(maxId, record.id());
        maxVersion.merge(record.subject(), record.version(), Math::max);
        NavigableMap<Integer, Integer> versions =
                subjects.computeIfAbsent(record.subject(), s -> new TreeMap<>());
        if (record.deleted()) {
            versions.remove(record.version());
            if (versions.isEmpty()) {
                subjects.remove(record.subject());
            }
        } else {
            versions.put(record.version(), record.id());
        }
    }

    public synchronized void apply(ConfigRecord record) {
        if (record.subject() == null) {
            globalLevel = record.level() == null ? DEFAULT_LEVEL : record.level();
        } else if (record.level() == null) {
            subjectLevels.remove(record.subject());
        } else {
            subjectLevels.put(record.subject(), record.level());
        }
    }

    /** The highest id assigned so far; new schemas get higher ones, so ids are never reused. */
    public synchronized int maxId() {
        return maxId;
    }

    private NavigableMap<Integer, Integer> versionsOf(String subject) {
        NavigableMap<Integer, Integer> versions = subjects.get(subject);
        if (versions == null || versions.isEmpty()) {
            throw SchemaRegistryException.subjectNotFound(subject);
        }
        return versions;
    }

    private Stored stored(int id) {
        Stored stored = byId.get(id);
        if (stored == null) {
            throw SchemaRegistryException.schemaNotFound("no schema with id " + id);
        }
        return stored;
    }

    private List<Compatibility.Previous> previousOf(String subject) {
        List<Compatibility.Previous> previous = new ArrayList<>();
        versionsOf(subject)
                .forEach(
                        (version, id) ->
                                previous.add(
                                        new Compatibility.Previous(
                                                "version " + version + " (id " + id + ")",
                                                byId.get(id).schema())));
        return previous;
    }

    private Compatibility.Previous previous(RegisteredSchema registered) {
        return new Compatibility.Previous(
                "version " + registered.version() + " (id " + registered.id() + ")",
                registered.schema());
    }
}
