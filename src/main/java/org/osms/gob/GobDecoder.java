package org.osms.gob;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decodes a gob stream into plain Java values: {@code Long} (int and uint), {@code Boolean}, {@code Double},
 * {@code byte[]}, {@code String}, {@code List}, {@code Map}, and {@link GobStruct} for structs. Built for hostile
 * input: every length and count is checked against the bytes that remain and against {@link GobLimits}; anything
 * wrong raises {@link GobException} and nothing else. A decoder is one stream: it keeps the types defined so far.
 */
public final class GobDecoder {
    private final GobLimits limits;
    private final Map<Integer, GobType> types = new HashMap<>();
    private int elementsLeft;

    public GobDecoder() {
        this(GobLimits.DEFAULT);
    }

    public GobDecoder(GobLimits limits) {
        this.limits = limits;
        this.elementsLeft = limits.maxElements();
    }

    /** A decoded struct: its fields by Go name, in wire order; omitted (zero) fields are absent. */
    public record GobStruct(String typeName, Map<String, Object> fields) {
    }

    /** Decodes a stream that holds exactly one value (with the type definitions it needs). */
    public Object decodeOne(byte[] stream) {
        List<Object> values = decodeAll(stream);
        if (values.size() != 1) {
            throw new GobException("gob: expected one value, found " + values.size());
        }
        return values.get(0);
    }

    /** Decodes every value of a stream. */
    public List<Object> decodeAll(byte[] stream) {
        if (stream == null || stream.length == 0) {
            throw new GobException("gob: empty stream");
        }
        if (stream.length > limits.maxMessageBytes()) {
            throw new GobException("gob: stream larger than " + limits.maxMessageBytes() + " bytes");
        }
        GobInput in = new GobInput(stream, 0, stream.length);
        List<Object> values = new ArrayList<>();
        while (!in.atEnd()) {
            int length = in.readCount("message length");
            if (length == 0) {
                throw new GobException("gob: empty message");
            }
            GobInput message = new GobInput(stream, in.position(), in.position() + length);
            in.skip(length);
            long id = message.readInt();
            if (id < 0) {
                define(-id, message);
            } else if (id == 0) {
                throw new GobException("gob: type id 0");
            } else {
                values.add(topLevel(checkId(id), message));
            }
            if (!message.atEnd()) {
                throw new GobException("gob: " + message.remaining() + " bytes left over in message");
            }
        }
        return values;
    }

    private static int checkId(long id) {
        if (id <= 0 || id > Integer.MAX_VALUE) {
            throw new GobException("gob: invalid type id " + id);
        }
        return (int) id;
    }

    // ---- type definitions: a wireType value

    private void define(long rawId, GobInput in) {
        int id = checkId(rawId);
        if (id < GobWire.FIRST_USER_ID) {
            throw new GobException("gob: cannot redefine predefined type " + id);
        }
        if (types.containsKey(id)) {
            throw new GobException("gob: type " + id + " defined twice");
        }
        if (types.size() >= limits.maxTypes()) {
            throw new GobException("gob: more than " + limits.maxTypes() + " type definitions");
        }
        GobType def = null;
        int field = -1;
        for (long delta = in.readUint(); delta != 0; delta = in.readUint()) {
            field = nextField(field, delta);
            if (def != null) {
                throw new GobException("gob: wireType with more than one kind");
            }
            def = switch (field) {
                case GobWire.WIRE_ARRAY -> readArrayType(in, id);
                case GobWire.WIRE_SLICE -> readSliceType(in, id);
                case GobWire.WIRE_STRUCT -> readStructType(in, id);
                case GobWire.WIRE_MAP -> readMapType(in, id);
                default -> throw new GobException("gob: GobEncoder and marshaler types are not supported");
            };
        }
        if (def == null) {
            throw new GobException("gob: empty wireType");
        }
        types.put(id, def);
    }

    private static int nextField(int field, long delta) {
        if (delta < 0 || delta > 1024) {
            throw new GobException("gob: invalid field delta");
        }
        return field + (int) delta;
    }

    /** CommonType {Name string; Id typeId}: its id must be the one being defined. */
    private static String readCommon(GobInput in, int id) {
        String name = "";
        long declared = 0;
        int field = -1;
        for (long delta = in.readUint(); delta != 0; delta = in.readUint()) {
            field = nextField(field, delta);
            switch (field) {
                case 0 -> name = in.readString();
                case 1 -> declared = in.readInt();
                default -> throw new GobException("gob: unknown CommonType field " + field);
            }
        }
        if (declared != id) {
            throw new GobException("gob: type definition for " + id + " names id " + declared);
        }
        return name;
    }

    private GobType readSliceType(GobInput in, int id) {
        String name = null;
        long elem = 0;
        int field = -1;
        for (long delta = in.readUint(); delta != 0; delta = in.readUint()) {
            field = nextField(field, delta);
            switch (field) {
                case 0 -> name = readCommon(in, id);
                case 1 -> elem = in.readInt();
                default -> throw new GobException("gob: unknown sliceType field " + field);
            }
        }
        return new GobType.Slice(required(name), checkId(elem));
    }

    private GobType readArrayType(GobInput in, int id) {
        String name = null;
        long elem = 0;
        long length = 0;
        int field = -1;
        for (long delta = in.readUint(); delta != 0; delta = in.readUint()) {
            field = nextField(field, delta);
            switch (field) {
                case 0 -> name = readCommon(in, id);
                case 1 -> elem = in.readInt();
                case 2 -> length = in.readInt();
                default -> throw new GobException("gob: unknown arrayType field " + field);
            }
        }
        if (length < 0 || length > limits.maxElements()) {
            throw new GobException("gob: invalid array length");
        }
        return new GobType.Array(required(name), checkId(elem), (int) length);
    }

    private GobType readMapType(GobInput in, int id) {
        String name = null;
        long key = 0;
        long elem = 0;
        int field = -1;
        for (long delta = in.readUint(); delta != 0; delta = in.readUint()) {
            field = nextField(field, delta);
            switch (field) {
                case 0 -> name = readCommon(in, id);
                case 1 -> key = in.readInt();
                case 2 -> elem = in.readInt();
                default -> throw new GobException("gob: unknown mapType field " + field);
            }
        }
        return new GobType.Map(required(name), checkId(key), checkId(elem));
    }

    private GobType readStructType(GobInput in, int id) {
        String name = null;
        List<GobType.Field> fields = new ArrayList<>();
        int field = -1;
        for (long delta = in.readUint(); delta != 0; delta = in.readUint()) {
            field = nextField(field, delta);
            switch (field) {
                case 0 -> name = readCommon(in, id);
                case 1 -> {
                    int count = in.readCount("field count");
                    for (int i = 0; i < count; i++) {
                        fields.add(readFieldType(in));
                    }
                }
                default -> throw new GobException("gob: unknown structType field " + field);
            }
        }
        return new GobType.Struct(required(name), List.copyOf(fields));
    }

    private static GobType.Field readFieldType(GobInput in) {
        String name = "";
        long id = 0;
        int field = -1;
        for (long delta = in.readUint(); delta != 0; delta = in.readUint()) {
            field = nextField(field, delta);
            switch (field) {
                case 0 -> name = in.readString();
                case 1 -> id = in.readInt();
                default -> throw new GobException("gob: unknown fieldType field " + field);
            }
        }
        if (name.isEmpty()) {
            throw new GobException("gob: struct field without a name");
        }
        return new GobType.Field(name, checkId(id));
    }

    private static String required(String name) {
        if (name == null) {
            throw new GobException("gob: type definition without CommonType");
        }
        return name;
    }

    // ---- values

    private Object topLevel(int id, GobInput in) {
        if (types.get(id) instanceof GobType.Struct) {
            return value(id, in, 0);
        }
        if (in.readUint() != 0) {
            throw new GobException("gob: non-zero delta for a singleton value");
        }
        return value(id, in, 0);
    }

    private Object value(int id, GobInput in, int depth) {
        if (depth > limits.maxDepth()) {
            throw new GobException("gob: nesting deeper than " + limits.maxDepth());
        }
        switch (id) {
            case GobWire.BOOL:
                return in.readBool();
            case GobWire.INT:
                return in.readInt();
            case GobWire.UINT:
                return in.readUint();
            case GobWire.FLOAT:
                return in.readFloat();
            case GobWire.BYTES:
                return in.readBytes();
            case GobWire.STRING:
                return in.readString();
            default:
                break;
        }
        GobType type = types.get(id);
        if (type == null) {
            throw new GobException("gob: value of undefined or unsupported type " + id);
        }
        if (type instanceof GobType.Struct s) {
            Map<String, Object> fields = new LinkedHashMap<>();
            int field = -1;
            for (long delta = in.readUint(); delta != 0; delta = in.readUint()) {
                field = nextField(field, delta);
                if (field >= s.fields().size()) {
                    throw new GobException("gob: field " + field + " beyond struct " + s.name());
                }
                GobType.Field f = s.fields().get(field);
                fields.put(f.name(), value(f.id(), in, depth + 1));
            }
            return new GobStruct(s.name(), fields);
        }
        if (type instanceof GobType.Slice s) {
            int count = count(in);
            List<Object> list = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                list.add(value(s.elem(), in, depth + 1));
            }
            return list;
        }
        if (type instanceof GobType.Array a) {
            int count = count(in);
            if (count != a.length()) {
                throw new GobException("gob: array of length " + a.length() + " has " + count + " elements");
            }
            List<Object> list = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                list.add(value(a.elem(), in, depth + 1));
            }
            return list;
        }
        GobType.Map m = (GobType.Map) type;
        int count = count(in);
        Map<Object, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < count; i++) {
            Object key = value(m.key(), in, depth + 1);
            if (key instanceof byte[] || key instanceof List || key instanceof Map || key instanceof GobStruct) {
                throw new GobException("gob: unsupported map key type");
            }
            map.put(key, value(m.elem(), in, depth + 1));
        }
        return map;
    }

    private int count(GobInput in) {
        int count = in.readCount("element count");
        elementsLeft -= count;
        if (elementsLeft < 0) {
            throw new GobException("gob: more than " + limits.maxElements() + " elements");
        }
        return count;
    }
}
