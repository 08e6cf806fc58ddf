package org.osms.protocol;

import java.util.Locale;

/**
 * A username: ASCII letters and digits only, 1 to 32 characters, case-insensitive. The canonical form is lowercase;
 * it is what the server stores, compares and returns, so "Alice" and "alice" are one name.
 */
public final class Username {
    public static final int MAX_LENGTH = 32;

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
        if (!alphanumeric(raw)) {
            throw new ProtocolException("bad_username",
                    "A username contains only the letters A-Z, a-z and the digits 0-9.");
        }
        return new Username(raw.toLowerCase(Locale.ROOT));
    }

    /**
     * Whether every character is an ASCII letter or digit. A loop rather than a regular expression: every directory
     * lookup checks the name it serves, and a matcher per call cost a measurable share of GET /user/{name}.
     */
    private static boolean alphanumeric(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
                return false;
            }
        }
        return true;
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
