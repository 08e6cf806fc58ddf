package org.osms.client;

/**
 * Text from others made safe to print on a terminal: a decrypted message is whatever its sender typed, and a
 * server's error message or a directory entry is whatever the server says. Control characters (C0 but the tab, DEL,
 * C1; the escape that starts a terminal's control sequences among them), line and paragraph separators and the
 * characters that reorder bidirectional text are shown as visible escapes ({@code \x1b}, {@code \u202e}), so that no
 * text can move the cursor, erase what the client printed before it (a sender's name, "[unconfirmed key]"), recolour
 * the terminal, or start a line that looks like another sender's.
 */
public final class TerminalText {
    private TerminalText() {
    }

    /** {@code text} on one line: every character above escaped, line breaks included. */
    public static String line(String text) {
        StringBuilder out = new StringBuilder(text.length());
        text.codePoints().forEach(c -> {
            if (unsafe(c)) {
                out.append(c < 0x100 ? String.format("\\x%02x", c) : String.format("\\u%04x", c));
            } else {
                out.appendCodePoint(c);
            }
        });
        return out.toString();
    }

    /**
     * {@code text} as lines that each start with {@code prefix}: a text of several lines keeps its line breaks (a
     * {@code \n}, or {@code \r\n}), and each of its lines is made safe by {@link #line}.
     */
    public static String lines(String prefix, String text) {
        StringBuilder out = new StringBuilder();
        for (String part : text.split("\r?\n", -1)) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            out.append(prefix).append(line(part));
        }
        return out.toString();
    }

    /**
     * A compact JSON document (as {@code JsonValue.toString()} writes it: no whitespace between tokens) made safe the
     * same way and still the same document: each character above can only be inside a string there, and is written
     * as the JSON escape of its code (a backslash, {@code u}, four hex digits). A JSON writer escapes C0 itself, but
     * passes DEL, C1 and the bidirectional controls through as they are.
     */
    public static String json(String json) {
        StringBuilder out = new StringBuilder(json.length());
        json.chars().forEach(c -> {
            if (unsafe(c)) {
                out.append(String.format("\\u%04x", c));
            } else {
                out.append((char) c);
            }
        });
        return out.toString();
    }

    private static boolean unsafe(int c) {
        return (c < 0x20 && c != '\t') || (c >= 0x7f && c <= 0x9f)
                || c == 0x2028 || c == 0x2029 // line and paragraph separators
                || (c >= 0x200e && c <= 0x200f) || (c >= 0x202a && c <= 0x202e) // bidi marks, embeddings, overrides
                || (c >= 0x2066 && c <= 0x2069) // bidi isolates
                || c == 0x061c; // the Arabic letter mark
    }
}
