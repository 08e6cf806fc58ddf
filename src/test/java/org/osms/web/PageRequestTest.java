package org.osms.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.osms.protocol.ProtocolException;

class PageRequestTest {

    @Test
    void defaultsToTheStartAndOneHundredEntries() {
        assertEquals(new PageRequest(0, PageRequest.DEFAULT_LIMIT), PageRequest.of(null, null));
    }

    @Test
    void acceptsTheFullRange() {
        assertEquals(new PageRequest(Long.MAX_VALUE, 1000), PageRequest.of("9223372036854775807", "1000"));
    }

    @ParameterizedTest
    @CsvSource({
        "-1, 10, bad_after",            // negative
        "x, 10, bad_after",             // not a number
        "9223372036854775808, 10, bad_after", // overflows a long
        "'', 10, bad_after",            // empty
        "1e3, 10, bad_after",           // exponent notation
        "0, 0, bad_limit",              // an empty page is meaningless
        "0, 1001, bad_limit",           // above the cap
        "0, +5, bad_limit",             // a sign
        "0, ' 5', bad_limit"            // whitespace
    })
    void rejectsMalformedOrOutOfRangeValues(String after, String limit, String code) {
        assertEquals(code, assertThrows(ProtocolException.class, () -> PageRequest.of(after, limit)).code());
    }
}
