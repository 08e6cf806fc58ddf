package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Text from others printed on a terminal: nothing in it can act on the terminal or pass for another line. */
class TerminalTextTest {
    @Test
    void controlCharactersAndReorderingMarksAreShownAsEscapes() {
        assertEquals("\\x0d\\x1b[2K\\x07\\x7f\\x9b31m\\x00",
                TerminalText.line("\r\u001b[2K\u0007\u007f\u009b31m\u0000"));
        assertEquals("a\\x0ab\\u2028c\\u2029d", TerminalText.line("a\nb\u2028c\u2029d"));
        assertEquals("\\u202egnp.exe\\u202c \\u2066x\\u2069 \\u200f \\u061c",
                TerminalText.line("\u202egnp.exe\u202c \u2066x\u2069 \u200f \u061c"));
    }

    @Test
    void ordinaryTextIsLeftAsItIs() {
        String text = "h\u00e9llo, \u4e16\u754c \ud83d\ude00\ttab \\x1b stays a backslash";
        assertEquals(text, TerminalText.line(text));
    }

    @Test
    void eachLineOfATextStartsWithItsPrefix() {
        assertEquals("bob: hi\nbob: alice: the meeting moved",
                TerminalText.lines("bob: ", "hi\nalice: the meeting moved"));
        assertEquals("bob: one\nbob: two\nbob: ", TerminalText.lines("bob: ", "one\r\ntwo\n"));
        assertEquals("bob: \\x0d\\x1b[2Kalice: x", TerminalText.lines("bob: ", "\r\u001b[2Kalice: x"));
    }

    @Test
    void aTextEventIsPrintedLineByLineUnderItsSenderAndKeepsTheUnconfirmedMark() {
        assertEquals("bob [unconfirmed key]: hi\nbob [unconfirmed key]: \\x0d\\x1b[2Kbob: trust me",
                new Messenger.Event("bob", "hi\n\r\u001b[2Kbob: trust me", null, null, true).line());
        assertEquals("! could not answer bob (x): \\x1b]0;title\\x07",
                new Messenger.Event("bob", null, "could not answer bob (x): \u001b]0;title\u0007").line());
    }

    /** A JSON document printed on a terminal: the same document, with nothing in it that acts on the terminal. */
    @Test
    void aJsonDocumentKeepsItsValueWithEveryUnsafeCharacterEscaped() {
        jakarta.json.JsonObject value = jakarta.json.Json.createObjectBuilder()
                .add("username", "alice\u202egnp.exe").add("note", "a\u009b2Jb\u2028c\u007fd\u001be")
                .add("plain", "h\u00e9llo \ud83d\ude00").build();
        String written = value.toString();
        String safe = TerminalText.json(written);
        assertEquals("{\"username\":\"alice\\u202egnp.exe\",\"note\":\"a\\u009b2Jb\\u2028c\\u007fd\\u001be\","
                + "\"plain\":\"h\u00e9llo \ud83d\ude00\"}", safe);
        try (jakarta.json.JsonReader r = jakarta.json.Json.createReader(new java.io.StringReader(safe))) {
            assertEquals(value, r.readObject(), "the same document");
        }
    }
}
