package org.osms.gob;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Encodes Java values as a gob stream, the way Go's {@code gob.Encoder} does: type definitions first (with the ids a
 * fresh Go process would assign, so the bytes equal Go's), then the value. Records are structs whose fields are the
 * components with the first letter upper-cased; zero values (0, false, "", empty, null) are omitted, as gob does.
 * Supported: records, {@code long}/{@code int} and boxes, {@code boolean}, {@code double}, {@code String},
 * {@code byte[]}, {@code List} and {@code Map} of those. One encoder is one stream.
 */
public final class GobEncoder {
    private final Map<Type, Integer> ids = new HashMap<>();
    private final Map<Integer, GobType> definitions = new HashMap<>();
    private final Set<Integer> sent = new HashSet<>();
    private int nextId = GobWire.FIRST_USER_ID;
    private final GobOutput stream = new GobOutput();

    /** Encodes one value (a record, or a list or map of them) as one gob stream. */
    public static byte[] encode(Object value) {
        GobEncoder e = new GobEncoder();
        e.write(value);
        return e.toByteArray();
    }

    /** Appends the definitions the value's type still needs, then the value. */
    public void write(Object value) {
        if (value == null) {
            throw new GobException("gob: cannot encode nil");
        }
        Type type = value.getClass();
        if (value instanceof List<?> || value instanceof Map<?, ?>) {
            throw new GobException("gob: a top-level list or map needs its element type: use write(value, type)");
        }
        write(value, type);
    }

    /** As {@link #write(Object)}, for a value whose generic type the class alone does not tell. */
    public void write(Object value, Type type) {
        int id = idOf(type);
        sendType(id);
        GobOutput message = new GobOutput();
        message.writeInt(id);
        if (definitions.get(id) instanceof GobType.Struct) {
            writeStruct(message, value);
        } else {
            message.writeUint(0); // the singleton field delta of a top-level non-struct value
            writeValue(message, type, value);
        }
        frame(message);
    }

    public byte[] toByteArray() {
        return stream.toByteArray();
    }

    private void frame(GobOutput message) {
        byte[] body = message.toByteArray();
        stream.writeUint(body.length);
        stream.writeRaw(body);
    }

    // ---- type ids, assigned in the order Go's newTypeObject assigns them

    private int idOf(Type type) {
        Class<?> raw = raw(type);
        if (raw == boolean.class || raw == Boolean.class) {
            return GobWire.BOOL;
        }
        if (raw == long.class || raw == Long.class || raw == int.class || raw == Integer.class) {
            return GobWire.INT;
        }
        if (raw == double.class || raw == Double.class) {
            return GobWire.FLOAT;
        }
        if (raw == byte[].class) {
            return GobWire.BYTES;
        }
        if (raw == String.class) {
            return GobWire.STRING;
        }
        Integer known = ids.get(type);
        if (known != null) {
            return known;
        }
        if (raw.isRecord()) {
            int id = nextId++;
            ids.put(type, id);
            List<GobType.Field> fields = new ArrayList<>();
            for (RecordComponent c : raw.getRecordComponents()) {
                fields.add(new GobType.Field(goFieldName(c.getName()), idOf(c.getGenericType())));
            }
            definitions.put(id, new GobType.Struct(raw.getSimpleName(), fields));
            return id;
        }
        if (List.class.isAssignableFrom(raw)) {
            Type elem = typeArgument(type, 0);
            int elemId = idOf(elem); // Go evaluates the element before it numbers the slice
            int id = nextId++;
            ids.put(type, id);
            definitions.put(id, new GobType.Slice("[]" + goTypeName(elem), elemId));
            return id;
        }
        if (Map.class.isAssignableFrom(raw)) {
            Type key = typeArgument(type, 0);
            Type elem = typeArgument(type, 1);
            int keyId = idOf(key);
            int elemId = idOf(elem);
            int id = nextId++;
            ids.put(type, id);
            definitions.put(id, new GobType.Map("map[" + goTypeName(key) + "]" + goTypeName(elem), keyId, elemId));
            return id;
        }
        throw new GobException("gob: type not supported: " + type.getTypeName());
    }

    static String goFieldName(String component) {
        return component.substring(0, 1).toUpperCase(Locale.ROOT) + component.substring(1);
    }

    private static String goTypeName(Type type) {
        Class<?> raw = raw(type);
        if (raw == boolean.class || raw == Boolean.class) {
            return "bool";
        }
        if (raw == long.class || raw == Long.class) {
            return "int64";
        }
        if (raw == int.class || raw == Integer.class) {
            return "int";
        }
        if (raw == double.class || raw == Double.class) {
            return "float64";
        }
        if (raw == byte[].class) {
            return "[]uint8";
        }
        if (raw == String.class) {
            return "string";
        }
        if (raw.isRecord()) {
            return GobWire.GO_PACKAGE + "." + raw.getSimpleName();
        }
        if (List.class.isAssignableFrom(raw)) {
            return "[]" + goTypeName(typeArgument(type, 0));
        }
        if (Map.class.isAssignableFrom(raw)) {
            return "map[" + goTypeName(typeArgument(type, 0)) + "]" + goTypeName(typeArgument(type, 1));
        }
        throw new GobException("gob: type not supported: " + type.getTypeName());
    }

    private static Class<?> raw(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        throw new GobException("gob: type not supported: " + type.getTypeName());
    }

    private static Type typeArgument(Type type, int i) {
        if (type instanceof ParameterizedType p) {
            return p.getActualTypeArguments()[i];
        }
        throw new GobException("gob: the element type of " + type.getTypeName() + " is unknown");
    }

    // ---- type definitions, sent as Go's sendActualType sends them: the type, then the types inside it

    private void sendType(int id) {
        if (GobWire.isBuiltin(id) || !sent.add(id)) {
            return;
        }
        GobType def = definitions.get(id);
        GobOutput message = new GobOutput();
        message.writeInt(-id);
        writeWireType(message, id, def);
        frame(message);
        if (def instanceof GobType.Struct s) {
            s.fields().forEach(f -> sendType(f.id()));
        } else if (def instanceof GobType.Slice s) {
            sendType(s.elem());
        } else if (def instanceof GobType.Array a) {
            sendType(a.elem());
        } else if (def instanceof GobType.Map m) {
            sendType(m.key());
            sendType(m.elem());
        }
    }

    private static void writeWireType(GobOutput out, int id, GobType def) {
        int wireField = def instanceof GobType.Array ? GobWire.WIRE_ARRAY
                : def instanceof GobType.Slice ? GobWire.WIRE_SLICE
                : def instanceof GobType.Struct ? GobWire.WIRE_STRUCT
                : GobWire.WIRE_MAP;
        out.writeUint(wireField + 1); // field delta from -1
        out.writeUint(1); // field 0 of every xxxType: its CommonType
        writeCommon(out, def.name(), id);
        if (def instanceof GobType.Struct s) {
            if (!s.fields().isEmpty()) {
                out.writeUint(1); // Field []*fieldType
                out.writeUint(s.fields().size());
                for (GobType.Field f : s.fields()) {
                    out.writeUint(1);
                    out.writeString(f.name());
                    out.writeUint(1);
                    out.writeInt(f.id());
                    out.writeUint(0);
                }
            }
        } else if (def instanceof GobType.Slice s) {
            out.writeUint(1);
            out.writeInt(s.elem());
        } else if (def instanceof GobType.Array a) {
            out.writeUint(1);
            out.writeInt(a.elem());
            out.writeUint(1);
            out.writeInt(a.length());
        } else if (def instanceof GobType.Map m) {
            out.writeUint(1);
            out.writeInt(m.key());
            out.writeUint(1);
            out.writeInt(m.elem());
        }
        out.writeUint(0); // end of the xxxType
        out.writeUint(0); // end of wireType
    }

    private static void writeCommon(GobOutput out, String name, int id) {
        if (!name.isEmpty()) {
            out.writeUint(1);
            out.writeString(name);
            out.writeUint(1);
        } else {
            out.writeUint(2);
        }
        out.writeInt(id);
        out.writeUint(0);
    }

    // ---- values

    private void writeStruct(GobOutput out, Object record) {
        int last = -1;
        RecordComponent[] components = record.getClass().getRecordComponents();
        for (int i = 0; i < components.length; i++) {
            Object v;
            try {
                v = components[i].getAccessor().invoke(record);
            } catch (ReflectiveOperationException e) {
                throw new GobException("gob: cannot read " + components[i].getName());
            }
            if (isZero(v)) {
                continue;
            }
            out.writeUint(i - last);
            last = i;
            writeValue(out, components[i].getGenericType(), v);
        }
        out.writeUint(0);
    }

    private void writeValue(GobOutput out, Type type, Object v) {
        if (v instanceof Boolean b) {
            out.writeBool(b);
        } else if (v instanceof Long l) {
            out.writeInt(l);
        } else if (v instanceof Integer i) {
            out.writeInt(i);
        } else if (v instanceof Double d) {
            out.writeFloat(d);
        } else if (v instanceof byte[] b) {
            out.writeBytes(b);
        } else if (v instanceof String s) {
            out.writeString(s);
        } else if (v instanceof List<?> list) {
            Type elem = typeArgument(type, 0);
            out.writeUint(list.size());
            for (Object e : list) {
                writeElement(out, elem, e);
            }
        } else if (v instanceof Map<?, ?> map) {
            out.writeUint(map.size());
            for (Map.Entry<?, ?> e : map.entrySet()) {
                writeElement(out, typeArgument(type, 0), e.getKey());
                writeElement(out, typeArgument(type, 1), e.getValue());
            }
        } else if (v.getClass().isRecord()) {
            writeStruct(out, v);
        } else {
            throw new GobException("gob: type not supported: " + v.getClass().getName());
        }
    }

    /** Elements of slices and maps are sent even when zero; a null element has no gob form. */
    private void writeElement(GobOutput out, Type type, Object e) {
        if (e == null) {
            throw new GobException("gob: cannot encode a nil element");
        }
        writeValue(out, type, e);
    }

    private static boolean isZero(Object v) {
        if (v == null) {
            return true;
        }
        if (v instanceof Boolean b) {
            return !b;
        }
        if (v instanceof Long l) {
            return l == 0;
        }
        if (v instanceof Integer i) {
            return i == 0;
        }
        if (v instanceof Double d) {
            return Double.doubleToRawLongBits(d) == 0;
        }
        if (v instanceof byte[] b) {
            return b.length == 0;
        }
        if (v instanceof String s) {
            return s.isEmpty();
        }
        if (v instanceof List<?> l) {
            return l.isEmpty();
        }
        return v instanceof Map<?, ?> m && m.isEmpty();
    }
}
