package org.osms.protocol;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A username: ASCII letters and digits only, 1 to 32 characters, case-insensitive. The canonical form is lowercase;
 * it is what the server stores, compares and returns, so "Alice" and "alice" are one name.
 */
public final class Username {
    public static final int MAX_LENGTH = 32;
    private static final Pattern ALPHANUMERIC = Pattern.compile("[A-Za-z0-9]{1," + MAX_LENGTH + "}");

    private final String value;

    private Username(String canonical) {
        this.value = canonical;
    }

    /** Parses user input; rejects anything that is not 1-32 ASCII letters or digits. */
    public static Username of(String raw) {
        if (raw == null || raw.isEmpty()) {
            throw new ProtocolException("bad_username", "A username is required.");
        }
        if (raw.length() > MAX_LENGTH) {
            throw new ProtocolException("bad_username",
                    "A username has at most " + MAX_LENGTH + " characters.");
        }
        if (!ALPHANUMERIC.matcher(raw).matches()) {
            throw new ProtocolException("bad_username",
                    "A username contains only the letters A-Z, a-z and the digits 0-9.");
        }
        return new Username(raw.toLowerCase(Locale.ROOT));
    }

    public String value() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Username other && value.equals(other.value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }

    @Override
    public String toString() {
        return value;
    }
}
