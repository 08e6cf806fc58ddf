package org.osms.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The negotiation headers' grammar, read in one pass: the same language as its regular expressions, any length. */
class HeaderGrammarTest {
    // the grammar as regular expressions, the form it had before: fine on short texts, the witness here
    private static final String TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
    private static final String QUOTED = "\"(?:[^\"\\\\]|\\\\.)*\"";
    private static final String OWS = "[ \\t]*";
    private static final String QVALUE = "(?:0(?:\\.[0-9]{0,3})?|1(?:\\.0{0,3})?)";
    private static final String PARAMETER = OWS + ";" + OWS + "(?:[qQ]=" + QVALUE + "(?=" + OWS + "(?:;|$))|(?![qQ]=)"
            + TOKEN + "=(?:" + TOKEN + "|" + QUOTED + "))";
    private static final Pattern MEDIA_RANGE = Pattern.compile(TOKEN + "/" + TOKEN + "(?:" + PARAMETER + ")*");
    private static final Pattern CHARSET = Pattern.compile(TOKEN + "(?:" + PARAMETER + ")*");
    private static final Pattern LANGUAGE_RANGE =
            Pattern.compile("(?:\\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)(?:" + PARAMETER + ")*");

    @ParameterizedTest
    @ValueSource(strings = {"application/json", "*/*", "application/x-gob;q=0.5", "text/plain; charset=utf-8",
        "a/b;q=1.000", "a/b ;\tq=0;x=\"quoted \\\" ; , text\"", "a/b;qq=1;Q=0.1", "a/b;x=y;q=0.123"})
    void mediaRangesOfTheGrammarAreAccepted(String value) {
        assertTrue(HeaderGrammar.mediaRange(value));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "json", "a/", "/b", "a/b;", "a/b;q=abc", "a/b;q=", "a/b;q=1.5", "a/b;q=0.1234",
        "a/b;q=2", "a/b;x", "a/b;x=\"open", "a/b;x=\"ends in a backslash\\", "a/b;q=0.5x", "a b/c", "a/b;=y"})
    void anythingElseIsNoMediaRange(String value) {
        assertFalse(HeaderGrammar.mediaRange(value));
    }

    @Test
    void languageRangesKeepTheirSubtagLengths() {
        assertTrue(HeaderGrammar.languageRange("*"));
        assertTrue(HeaderGrammar.languageRange("en-GB;q=0.8"));
        assertTrue(HeaderGrammar.languageRange("abcdefgh-12345678-x"));
        assertFalse(HeaderGrammar.languageRange("abcdefghi"));
        assertFalse(HeaderGrammar.languageRange("en-123456789"));
        assertFalse(HeaderGrammar.languageRange("en-"));
        assertFalse(HeaderGrammar.languageRange("e1"));
    }

    /** Random short texts over the grammar's interesting characters: the one-pass reading agrees with each pattern. */
    @Test
    void theOnePassReadingAgreesWithTheRegularExpressions() {
        check(MEDIA_RANGE, HeaderGrammar::mediaRange, new String[] {"a", "b", "/", ";", "=", "q", "Q", "0", "1", ".",
            "5", " ", "\"", "\\", "*", "-", "x/y", ";q=", ";x="});
        check(CHARSET, HeaderGrammar::charset, new String[] {"u", "8", "-", ";", "=", "q", "0", "1", ".", " ", "\t",
            "\"", "\\", "*", ";q=0.", ";a=b"});
        check(LANGUAGE_RANGE, HeaderGrammar::languageRange, new String[] {"e", "n", "G", "1", "-", "*", ";", "=", "q",
            "0", "1", ".", " ", "\"", "abcdefgh", ";q=1"});
    }

    private static void check(Pattern pattern, Predicate<String> grammar, String[] pieces) {
        Random random = new Random(9110);
        for (int i = 0; i < 100_000; i++) {
            StringBuilder text = new StringBuilder();
            for (int n = 1 + random.nextInt(10); n > 0; n--) {
                text.append(pieces[random.nextInt(pieces.length)]);
            }
            String value = text.toString();
            assertEquals(pattern.matcher(value).matches(), grammar.test(value), value);
        }
    }

    /**
     * Thousands of parameters, or one long quoted value, are read like a short header: the regular expressions
     * recursed once per parameter and overflowed the stack on these (the filter's limit is 4,096 characters; these
     * are longer, to leave no doubt).
     */
    @Test
    void longHeadersAreReadWithoutRecursion() {
        assertTrue(HeaderGrammar.mediaRange("a/b" + ";x=y".repeat(100_000)));
        assertFalse(HeaderGrammar.mediaRange("a/b" + ";x=y".repeat(100_000) + ";"));
        assertTrue(HeaderGrammar.mediaRange("a/b;x=\"" + "\\\"".repeat(100_000) + "\""));
        assertTrue(HeaderGrammar.languageRange("en" + "-x".repeat(100_000) + ";q=0.5"));
        assertTrue(HeaderGrammar.charset("utf-8" + " ; a=b".repeat(100_000)));
    }
}
