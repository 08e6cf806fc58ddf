package org.osms.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the filter reads a header list: commas split it only outside quoted strings, where a backslash quotes the next
 * character (RFC 9110's quoted-pair); and the Accept header the framework is given: the non-empty media ranges with
 * their weights only.
 */
class NegotiationHeadersTest {
    @Test
    void commasInsideQuotedStringsDoNotSplit() {
        assertEquals(List.of("a/b;x=\"1,2\"", " c/d"), NegotiationHeaders.splitList("a/b;x=\"1,2\", c/d"));
    }

    @Test
    void anEscapedBackslashDoesNotEscapeTheClosingQuote() {
        // the value is one escaped backslash: x="\\" ends at its second quote
        assertEquals(List.of("a/b;x=\"\\\\\"", " application/json"),
                NegotiationHeaders.splitList("a/b;x=\"\\\\\", application/json"));
    }

    @Test
    void anEscapedQuoteDoesNotEndTheQuotedString() {
        assertEquals(List.of("a/b;x=\"\\\",\"", " c/d"), NegotiationHeaders.splitList("a/b;x=\"\\\",\", c/d"));
    }

    @Test
    void emptyElementsAreKeptAsElements() {
        assertEquals(List.of("a/b", " ", " c/d", ""), NegotiationHeaders.splitList("a/b, , c/d,"));
    }

    @Test
    void theFrameworkSeesTheMediaRangesWithTheirWeightsOnly() {
        assertEquals("application/x-gob;q=0.1, application/json",
                NegotiationHeaders.canonicalAccept(List.of("application/x-gob;Q=0.1 , , application/json;x=\"a,b\"")));
        assertEquals("text/plain, application/json;q=0.5, */*;q=0", NegotiationHeaders.canonicalAccept(
                List.of("text/plain;x=\"\\\\\";charset=utf-8", "application/json ; q=0.5", "*/*;q=0")));
    }

    @Test
    void onlyEmptyElementsAreNoHeader() {
        assertNull(NegotiationHeaders.canonicalAccept(List.of(" , ,", "")));
    }
}
