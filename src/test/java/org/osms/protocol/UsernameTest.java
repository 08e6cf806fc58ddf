package org.osms.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class UsernameTest {

    @ParameterizedTest
    @ValueSource(strings = {"a", "alice", "Alice", "ALICE99", "0", "abcdefghijklmnopqrstuvwxyz012345"})
    void acceptsOneToThirtyTwoAsciiLettersAndDigitsAndStoresLowercase(String raw) {
        Username u = Username.of(raw);
        assertEquals(raw.toLowerCase(java.util.Locale.ROOT), u.value());
        assertEquals(Username.of(raw.toUpperCase(java.util.Locale.ROOT)), u, "names are case-insensitive");
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {
        "abcdefghijklmnopqrstuvwxyz0123456", // 33 characters
        "al ice", "alice!", "al-ice", "al_ice", "alice\n", "../etc", "%61",
        "ålice",      // non-ASCII letter
        "алиса",      // Cyrillic look-alikes
        "ａｌｉｃｅ", // full-width letters
        "١٢٣",        // Arabic-Indic digits
        "a\u0000b",
        "a/", "a:", "a@", "a[", "a`", "a{" // the characters next to the ranges 0-9, A-Z and a-z
    })
    void rejectsEverythingElseWithAClearCode(String raw) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> Username.of(raw));
        assertEquals("bad_username", e.code());
    }
}
