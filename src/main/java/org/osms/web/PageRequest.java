package org.osms.web;

import org.osms.protocol.ProtocolException;

/**
 * The {@code after} and {@code limit} query parameters of paged lists, parsed strictly: a malformed or out-of-range
 * value is a 400, never a silent default.
 */
public record PageRequest(long after, int limit) {
    public static final int DEFAULT_LIMIT = 100;
    public static final int MAX_LIMIT = 1000;

    public static PageRequest of(String after, String limit) {
        long a = after == null ? 0 : parse("after", after, 0, Long.MAX_VALUE);
        int l = limit == null ? DEFAULT_LIMIT : (int) parse("limit", limit, 1, MAX_LIMIT);
        return new PageRequest(a, l);
    }

    private static long parse(String name, String raw, long min, long max) {
        if (raw.isEmpty() || raw.length() > 19 || !raw.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new ProtocolException("bad_" + name, "'" + name + "' must be a decimal number from " + min
                    + " to " + max + ".");
        }
        long v;
        try {
            v = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            v = -1;
        }
        if (v < min || v > max) {
            throw new ProtocolException("bad_" + name, "'" + name + "' must be a decimal number from " + min
                    + " to " + max + ".");
        }
        return v;
    }
}
