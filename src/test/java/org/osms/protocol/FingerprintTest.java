package org.osms.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class FingerprintTest {
    private static final String HEX = "0123456789abcdef0123456789ABCDEF01234567";

    @ParameterizedTest
    @ValueSource(strings = {HEX, "0000000000000000000000000000000000000000", "ffffffffffffffffffffffffffffffffffffffff",
        "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"})
    void acceptsFortyHexDigitsAndStoresLowercase(String hex) {
        assertEquals(hex.toLowerCase(java.util.Locale.ROOT), Fingerprint.of(hex).hex());
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        "0123456789abcdef0123456789abcdef0123456",   // 39 digits
        "0123456789abcdef0123456789abcdef012345678", // 41 digits
        "0123456789abcdef0123456789abcdef0123456g",
        // the characters next to the ranges 0-9, A-F and a-f
        "0123456789abcdef0123456789abcdef0123456/", "0123456789abcdef0123456789abcdef0123456:",
        "0123456789abcdef0123456789abcdef0123456@", "0123456789abcdef0123456789abcdef0123456G",
        "0123456789abcdef0123456789abcdef0123456`",
        "0123456789abcdef0123456789abcdef0123456١", // an Arabic-Indic digit
        "0123456789abcdef0123456789abcdef0123456\n"
    })
    void rejectsEverythingElseWithAClearCode(String hex) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> Fingerprint.of(hex));
        assertEquals("bad_fingerprint", e.code());
    }
}
