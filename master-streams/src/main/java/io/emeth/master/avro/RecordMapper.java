package io.emeth.master.avro;

import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.avro.Conversions;
import org.apache.avro.LogicalTypes;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.IndexedRecord;
import org.apache.avro.specific.SpecificData;

/**
 * Maps one of the master's own Java types (a record, a sealed interface of records, or a state
 * class with plain fields) to the generated Avro class of the same shape and back, field by field
 * and by name, so that the processors keep their Java types while the bytes on the internal topics
 * and changelogs are Avro like every other topic.
 *
 * <p>The mapping is checked once, when it is built: every Java field must have an Avro field of a
 * fitting type and every Avro field a Java field, every branch of a sealed interface a union branch
 * of its simple name, every enum constant a symbol. A field added on one side only therefore stops
 * the master (and every topology test) at start with the class and field named, instead of being
 * dropped silently.
 */
public final class RecordMapper<T> {
    private static final SpecificData MODEL = SpecificData.get();
    private static final Conversions.DecimalConversion DECIMAL =
            new Conversions.DecimalConversion();

    private final Class<T> type;
    private final Schema schema;
    private final Codec codec;

    private RecordMapper(Class<T> type, Schema schema) {
        this.type = type;
        this.schema = schema;
        this.codec = codecFor(type, schema, type.getSimpleName());
    }

    /**
     * The mapping of {@code type} to {@code schema}; a record schema whose only field is a union
     * named {@code payload} (an envelope, as on every topic) maps a sealed interface.
     *
     * @throws IllegalStateException naming the class and field that do not fit
     */
    public static <T> RecordMapper<T> of(Class<T> type, Schema schema) {
        return new RecordMapper<>(type, schema);
    }

    public Class<T> type() {
        return type;
    }

    public Schema schema() {
        return schema;
    }

    /** The Avro record (an instance of the generated class) holding {@code value}. */
    public IndexedRecord toAvro(T value) {
        return (IndexedRecord) codec.toAvro(value);
    }

    /** The Java value of {@code record}, which was read with this mapper's schema. */
    public T fromAvro(IndexedRecord record) {
        return type.cast(codec.fromAvro(record));
    }

    /** Converts one value between its Java and its Avro form. */
    private interface Codec {
        Object toAvro(Object java);

        Object fromAvro(Object avro);
    }

    private static Codec codecFor(Type javaType, Schema schema, String where) {
        Class<?> raw = rawClass(javaType, where);
        switch (schema.getType()) {
            case UNION:
                return unionCodec(javaType, raw, schema, where);
            case RECORD:
                if (raw.isSealed() && raw.isInterface()) {
                    return envelopeCodec(raw, schema, where);
                }
                return recordCodec(raw, schema, where);
            case STRING:
                if (raw == String.class) {
                    return new Plain(v -> v, Object::toString);
                }
                if (raw.isEnum()) {
                    return enumAsString(raw, where);
                }
                throw mismatch(where, raw, schema);
            case ENUM:
                if (!raw.isEnum()) {
                    throw mismatch(where, raw, schema);
                }
                return enumCodec(raw, schema, where);
            case ARRAY:
                if (raw != List.class || !(javaType instanceof ParameterizedType list)) {
                    throw mismatch(where, raw, schema);
                }
                return arrayCodec(list.getActualTypeArguments()[0], schema, where);
            case LONG:
                return primitive(raw, schema, where, long.class, Long.class);
            case INT:
                return primitive(raw, schema, where, int.class, Integer.class);
            case DOUBLE:
                return primitive(raw, schema, where, double.class, Double.class);
            case BOOLEAN:
                return primitive(raw, schema, where, boolean.class, Boolean.class);
            case BYTES:
                if (raw == BigInteger.class
                        && schema.getLogicalType() instanceof LogicalTypes.Decimal decimal
                        && decimal.getScale() == 0) {
                    return new Plain(
                            v -> new BigDecimal((BigInteger) v),
                            v ->
                                    v instanceof ByteBuffer bytes
                                            ? DECIMAL.fromBytes(bytes.duplicate(), schema, decimal)
                                                    .toBigIntegerExact()
                                            : ((BigDecimal) v).toBigIntegerExact());
                }
                throw mismatch(where, raw, schema);
            default:
                throw mismatch(where, raw, schema);
        }
    }

    private static Codec primitive(
            Class<?> raw, Schema schema, String where, Class<?> primitive, Class<?> boxed) {
        if (raw != primitive && raw != boxed) {
            throw mismatch(where, raw, schema);
        }
        return new Plain(v -> v, v -> v);
    }

    private static Codec unionCodec(Type javaType, Class<?> raw, Schema union, String where) {
        List<Schema> branches = union.getTypes();
        if (branches.size() == 2 && branches.get(0).getType() == Schema.Type.NULL) {
            if (raw.isPrimitive()) {
                throw new IllegalStateException(
                        where + " is a primitive " + raw + " but its Avro field may be null");
            }
            Codec inner = codecFor(javaType, branches.get(1), where);
            return new Plain(
                    v -> v == null ? null : inner.toAvro(v),
                    v -> v == null ? null : inner.fromAvro(v));
        }
        if (!raw.isSealed()) {
            throw new IllegalStateException(
                    where + ": a union of records maps a sealed interface, not " + raw.getName());
        }
        Map<Class<?>, Codec> byClass = new HashMap<>();
        Map<String, Codec> byName = new HashMap<>();
        Set<String> unmatched = new LinkedHashSet<>();
        for (Schema branch : branches) {
            unmatched.add(branch.getName());
        }
        for (Class<?> sub : raw.getPermittedSubclasses()) {
            Schema branch =
                    branches.stream()
                            .filter(b -> b.getName().equals(sub.getSimpleName()))
                            .findFirst()
                            .orElseThrow(
                                    () ->
                                            new IllegalStateException(
                                                    where
                                                            + ": "
                                                            + sub.getName()
                                                            + " has no branch of that name in the"
                                                            + " Avro union "
                                                            + unmatched));
            Codec codec = recordCodec(sub, branch, where + "." + sub.getSimpleName());
            byClass.put(sub, codec);
            byName.put(branch.getFullName(), codec);
            unmatched.remove(branch.getName());
        }
        if (!unmatched.isEmpty()) {
            throw new IllegalStateException(
                    where + ": Avro union branches " + unmatched + " have no Java record");
        }
        return new Plain(
                v -> byClass.get(v.getClass()).toAvro(v),
                v -> {
                    IndexedRecord record = (IndexedRecord) v;
                    return byName.get(record.getSchema().getFullName()).fromAvro(record);
                });
    }

    private static Codec envelopeCodec(Class<?> raw, Schema envelope, String where) {
        if (envelope.getFields().size() != 1
                || !envelope.getFields().get(0).name().equals("payload")) {
            throw new IllegalStateException(
                    where
                            + ": a sealed interface maps an envelope record whose only field is"
                            + " the union 'payload', not "
                            + envelope.getFullName());
        }
        Codec payload = codecFor(raw, envelope.getFields().get(0).schema(), where);
        Instantiator create = instantiator(envelope);
        return new Plain(
                v -> {
                    IndexedRecord record = create.get();
                    record.put(0, payload.toAvro(v));
                    return record;
                },
                v -> payload.fromAvro(((IndexedRecord) v).get(0)));
    }

    private static Codec arrayCodec(Type elementType, Schema array, String where) {
        Codec element = codecFor(elementType, array.getElementType(), where + "[]");
        return new Plain(
                v -> {
                    List<?> list = (List<?>) v;
                    List<Object> out = new ArrayList<>(list.size());
                    for (Object item : list) {
                        out.add(element.toAvro(item));
                    }
                    return out;
                },
                v -> {
                    List<?> list = (List<?>) v;
                    List<Object> out = new ArrayList<>(list.size());
                    for (Object item : list) {
                        out.add(element.fromAvro(item));
                    }
                    return out;
                });
    }

    private static Codec enumCodec(Class<?> raw, Schema schema, String where) {
        Set<String> constants = constants(raw);
        if (!constants.equals(new LinkedHashSet<>(schema.getEnumSymbols()))) {
            throw new IllegalStateException(
                    where
                            + ": enum "
                            + raw.getName()
                            + " has constants "
                            + constants
                            + " but Avro enum "
                            + schema.getFullName()
                            + " has symbols "
                            + schema.getEnumSymbols());
        }
        Codec byName = enumAsString(raw, where);
        return new Plain(
                v -> MODEL.createEnum(((Enum<?>) v).name(), schema),
                v -> byName.fromAvro(v.toString()));
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Codec enumAsString(Class<?> raw, String where) {
        Class<? extends Enum> enumType = (Class<? extends Enum>) raw;
        return new Plain(
                v -> ((Enum<?>) v).name(),
                v -> {
                    try {
                        return Enum.valueOf(enumType, v.toString());
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(
                                where + ": '" + v + "' is not a " + raw.getSimpleName(), e);
                    }
                });
    }

    private static Set<String> constants(Class<?> raw) {
        Set<String> names = new LinkedHashSet<>();
        for (Object constant : raw.getEnumConstants()) {
            names.add(((Enum<?>) constant).name());
        }
        return names;
    }

    private static Codec recordCodec(Class<?> raw, Schema schema, String where) {
        if (schema.getType() != Schema.Type.RECORD) {
            throw mismatch(where, raw, schema);
        }
        return raw.isRecord()
                ? JavaRecordCodec.of(raw, schema, where)
                : FieldsCodec.of(raw, schema, where);
    }

    /** A new instance of the generated class of {@code schema} (a generic record without one). */
    private interface Instantiator {
        IndexedRecord get();
    }

    private static Instantiator instantiator(Schema schema) {
        Class<?> generated = MODEL.getClass(schema);
        if (generated != null && IndexedRecord.class.isAssignableFrom(generated)) {
            try {
                Constructor<?> ctor = generated.getConstructor();
                return () -> {
                    try {
                        return (IndexedRecord) ctor.newInstance();
                    } catch (ReflectiveOperationException e) {
                        throw new IllegalStateException("cannot create " + generated, e);
                    }
                };
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(generated + " has no public no-arg constructor", e);
            }
        }
        return () -> new GenericData.Record(schema);
    }

    /** Checks that the Java members and the Avro fields name the same things. */
    private static void sameNames(List<String> java, Schema schema, Class<?> raw, String where) {
        Set<String> avro = new LinkedHashSet<>();
        schema.getFields().forEach(f -> avro.add(f.name()));
        Set<String> javaOnly = new LinkedHashSet<>(java);
        javaOnly.removeAll(avro);
        Set<String> avroOnly = new LinkedHashSet<>(avro);
        avroOnly.removeAll(java);
        if (!javaOnly.isEmpty() || !avroOnly.isEmpty()) {
            throw new IllegalStateException(
                    where
                            + ": "
                            + raw.getName()
                            + " and Avro "
                            + schema.getFullName()
                            + " differ: only in Java "
                            + javaOnly
                            + ", only in Avro "
                            + avroOnly
                            + " (add the field to the .avsc in the schemas module, with a"
                            + " default, or remove it from the class)");
        }
    }

    private record JavaRecordCodec(
            Constructor<?> ctor,
            java.lang.reflect.Method[] accessors,
            int[] positions,
            Codec[] codecs,
            Instantiator create)
            implements Codec {
        static JavaRecordCodec of(Class<?> raw, Schema schema, String where) {
            RecordComponent[] components = raw.getRecordComponents();
            List<String> names = new ArrayList<>();
            for (RecordComponent c : components) {
                names.add(c.getName());
            }
            sameNames(names, schema, raw, where);
            Class<?>[] types = new Class<?>[components.length];
            java.lang.reflect.Method[] accessors = new java.lang.reflect.Method[components.length];
            int[] positions = new int[components.length];
            Codec[] codecs = new Codec[components.length];
            for (int i = 0; i < components.length; i++) {
                RecordComponent c = components[i];
                types[i] = c.getType();
                accessors[i] = c.getAccessor();
                accessors[i].setAccessible(true);
                Schema.Field field = schema.getField(c.getName());
                positions[i] = field.pos();
                codecs[i] = codecFor(c.getGenericType(), field.schema(), where + "." + c.getName());
            }
            try {
                Constructor<?> ctor = raw.getDeclaredConstructor(types);
                ctor.setAccessible(true);
                return new JavaRecordCodec(
                        ctor, accessors, positions, codecs, instantiator(schema));
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(raw + " has no canonical constructor", e);
            }
        }

        @Override
        public Object toAvro(Object java) {
            IndexedRecord out = create.get();
            try {
                for (int i = 0; i < codecs.length; i++) {
                    out.put(positions[i], codecs[i].toAvro(accessors[i].invoke(java)));
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot read " + java.getClass(), e);
            }
            return out;
        }

        @Override
        public Object fromAvro(Object avro) {
            IndexedRecord in = (IndexedRecord) avro;
            Object[] args = new Object[codecs.length];
            for (int i = 0; i < codecs.length; i++) {
                args[i] = codecs[i].fromAvro(in.get(positions[i]));
            }
            try {
                return ctor.newInstance(args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw new IllegalArgumentException(
                        "invalid " + ctor.getDeclaringClass().getSimpleName() + ": " + e.getCause(),
                        e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create " + ctor.getDeclaringClass(), e);
            }
        }
    }

    private record FieldsCodec(
            Constructor<?> ctor,
            Field[] fields,
            int[] positions,
            Codec[] codecs,
            Instantiator create)
            implements Codec {
        static FieldsCodec of(Class<?> raw, Schema schema, String where) {
            List<Field> fields = new ArrayList<>();
            for (Field f : raw.getDeclaredFields()) {
                int mods = f.getModifiers();
                if (!Modifier.isStatic(mods) && !Modifier.isTransient(mods) && !f.isSynthetic()) {
                    fields.add(f);
                }
            }
            sameNames(fields.stream().map(Field::getName).toList(), schema, raw, where);
            int[] positions = new int[fields.size()];
            Codec[] codecs = new Codec[fields.size()];
            for (int i = 0; i < fields.size(); i++) {
                Field f = fields.get(i);
                f.setAccessible(true);
                Schema.Field field = schema.getField(f.getName());
                positions[i] = field.pos();
                codecs[i] = codecFor(f.getGenericType(), field.schema(), where + "." + f.getName());
            }
            try {
                Constructor<?> ctor = raw.getDeclaredConstructor();
                ctor.setAccessible(true);
                return new FieldsCodec(
                        ctor,
                        fields.toArray(Field[]::new),
                        positions,
                        codecs,
                        instantiator(schema));
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException(raw + " needs a no-arg constructor", e);
            }
        }

        @Override
        public Object toAvro(Object java) {
            IndexedRecord out = create.get();
            try {
                for (int i = 0; i < codecs.length; i++) {
                    out.put(positions[i], codecs[i].toAvro(fields[i].get(java)));
                }
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot read " + java.getClass(), e);
            }
            return out;
        }

        @Override
        public Object fromAvro(Object avro) {
            IndexedRecord in = (IndexedRecord) avro;
            try {
                Object out = ctor.newInstance();
                for (int i = 0; i < codecs.length; i++) {
                    fields[i].set(out, codecs[i].fromAvro(in.get(positions[i])));
                }
                return out;
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot create " + ctor.getDeclaringClass(), e);
            }
        }
    }

    private record Plain(
            java.util.function.UnaryOperator<Object> to,
            java.util.function.UnaryOperator<Object> from)
            implements Codec {
        @Override
        public Object toAvro(Object java) {
            return to.apply(java);
        }

        @Override
        public Object fromAvro(Object avro) {
            return from.apply(avro);
        }
    }

    private static Class<?> rawClass(Type type, String where) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            return c;
        }
        throw new IllegalStateException(where + ": unsupported Java type " + type);
    }

    private static IllegalStateException mismatch(String where, Class<?> raw, Schema schema) {
        return new IllegalStateException(
                where + ": Java " + raw.getName() + " does not fit Avro " + schema.toString());
    }
}
