package org.osms.gob;

import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds decoded gob values to Java records by field name (the record component with its first letter upper-cased),
 * as Go's decoder binds to structs: fields the record lacks are ignored, fields the stream omits take their zero
 * value ({@code null} for reference types, 0 and {@code false} for primitives, an empty list for lists).
 */
public final class GobBinding {
    private GobBinding() {
    }

    /** Decodes a one-value stream into {@code target}. */
    @SuppressWarnings("unchecked")
    public static <T> T decode(byte[] stream, Class<T> target, GobLimits limits) {
        return (T) bind(new GobDecoder(limits).decodeOne(stream), target, 0);
    }

    public static Object bind(Object value, Type target, int depth) {
        if (depth > 64) {
            throw new GobException("gob: nesting too deep to bind");
        }
        Class<?> raw = target instanceof ParameterizedType p ? (Class<?>) p.getRawType() : (Class<?>) target;
        if (value == null) {
            return zero(raw);
        }
        if (raw == long.class || raw == Long.class) {
            return expect(value, Long.class, target);
        }
        if (raw == int.class || raw == Integer.class) {
            long l = expect(value, Long.class, target);
            if (l < Integer.MIN_VALUE || l > Integer.MAX_VALUE) {
                throw new GobException("gob: " + l + " does not fit an int");
            }
            return (int) l;
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return expect(value, Boolean.class, target);
        }
        if (raw == double.class || raw == Double.class) {
            return expect(value, Double.class, target);
        }
        if (raw == String.class) {
            return expect(value, String.class, target);
        }
        if (raw == byte[].class) {
            return expect(value, byte[].class, target);
        }
        if (List.class.isAssignableFrom(raw)) {
            Type elem = ((ParameterizedType) target).getActualTypeArguments()[0];
            List<Object> out = new ArrayList<>();
            for (Object e : expect(value, List.class, target)) {
                out.add(bind(e, elem, depth + 1));
            }
            return List.copyOf(out);
        }
        if (Map.class.isAssignableFrom(raw)) {
            Type[] args = ((ParameterizedType) target).getActualTypeArguments();
            Map<Object, Object> out = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : ((Map<?, ?>) expect(value, Map.class, target)).entrySet()) {
                out.put(bind(e.getKey(), args[0], depth + 1), bind(e.getValue(), args[1], depth + 1));
            }
            return out;
        }
        if (raw.isRecord()) {
            GobDecoder.GobStruct struct = expect(value, GobDecoder.GobStruct.class, target);
            RecordComponent[] components = raw.getRecordComponents();
            Object[] args = new Object[components.length];
            Class<?>[] types = new Class<?>[components.length];
            for (int i = 0; i < components.length; i++) {
                Object field = struct.fields().get(GobEncoder.goFieldName(components[i].getName()));
                args[i] = bind(field, components[i].getGenericType(), depth + 1);
                types[i] = components[i].getType();
            }
            try {
                Constructor<?> c = raw.getDeclaredConstructor(types);
                return c.newInstance(args);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw new GobException("gob: invalid " + raw.getSimpleName() + ": " + e.getCause().getMessage());
            } catch (ReflectiveOperationException e) {
                throw new GobException("gob: cannot build " + raw.getSimpleName());
            }
        }
        throw new GobException("gob: cannot bind to " + target.getTypeName());
    }

    private static Object zero(Class<?> raw) {
        if (raw == long.class) {
            return 0L;
        }
        if (raw == int.class) {
            return 0;
        }
        if (raw == boolean.class) {
            return false;
        }
        if (raw == double.class) {
            return 0.0;
        }
        if (List.class.isAssignableFrom(raw)) {
            return List.of();
        }
        if (Map.class.isAssignableFrom(raw)) {
            return Map.of();
        }
        return null;
    }

    private static <T> T expect(Object value, Class<T> type, Type target) {
        if (!type.isInstance(value)) {
            throw new GobException("gob: expected " + target.getTypeName() + ", found "
                    + value.getClass().getSimpleName());
        }
        return type.cast(value);
    }
}
