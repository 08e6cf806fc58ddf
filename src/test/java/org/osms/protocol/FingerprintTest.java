package org.osms.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
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

    @Test
    void equalWhateverTheCaseItWasWrittenIn() {
        Fingerprint lower = Fingerprint.of(HEX.toLowerCase(java.util.Locale.ROOT));
        Fingerprint upper = Fingerprint.of(HEX.toUpperCase(java.util.Locale.ROOT));
        assertEquals(lower, upper);
        assertEquals(lower.hashCode(), upper.hashCode());
        assertEquals("01234567 89ABCDEF 01234567 89ABCDEF 01234567", upper.human());
        assertEquals(lower.hex(), upper.toString());
    }

    /** One digit changed anywhere, in each of the three parts the bits are held in, is another fingerprint. */
    @ParameterizedTest
    @ValueSource(ints = {0, 15, 16, 31, 32, 39})
    void oneDigitMakesAnotherFingerprint(int at) {
        String other = HEX.substring(0, at) + (HEX.charAt(at) == '9' ? '8' : '9') + HEX.substring(at + 1);
        assertNotEquals(Fingerprint.of(HEX), Fingerprint.of(other));
        assertEquals(other.toLowerCase(java.util.Locale.ROOT), Fingerprint.of(other).hex());
    }
}
