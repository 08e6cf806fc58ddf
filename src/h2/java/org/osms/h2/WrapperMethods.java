package org.osms.h2;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;

/**
 * What a JDBC wrapper of this package ({@link DurableConnection}, {@link GatedStatement}) answers itself, whatever it
 * wraps: {@code unwrap} and {@code isWrapperFor} see the wrapper before the wrapped object, and {@code equals},
 * {@code hashCode} and {@code toString} are the proxy's own.
 */
final class WrapperMethods {
    /** Returned by {@link #answer} for a method the wrapper does not answer itself. */
    static final Object NOT_OWN = new Object();

    private WrapperMethods() {
    }

    static Object answer(Object self, Object target, String label, Method method, Object[] args) throws Throwable {
        return switch (method.getName()) {
            case "unwrap" -> ((Class<?>) args[0]).isInstance(self) ? self : call(target, method, args);
            case "isWrapperFor" -> ((Class<?>) args[0]).isInstance(self) || (Boolean) call(target, method, args);
            case "equals" -> args != null && args.length == 1 ? self == args[0] : NOT_OWN;
            case "hashCode" -> args == null || args.length == 0 ? System.identityHashCode(self) : NOT_OWN;
            case "toString" -> args == null || args.length == 0 ? label + " " + target : NOT_OWN;
            default -> NOT_OWN;
        };
    }

    /** Calls the wrapped object, throwing what it threw. */
    static Object call(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
