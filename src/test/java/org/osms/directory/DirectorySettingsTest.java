package org.osms.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** OSMS_IDENTITY_CHANGES_PER_DAY is read once, at start-up; a value out of range stops the start with a sentence. */
class DirectorySettingsTest {
    private static DirectorySettings read(Object value) {
        DirectorySettings s = new DirectorySettings();
        s.changesPerDaySetting = value;
        s.read();
        return s;
    }

    @ParameterizedTest
    @ValueSource(strings = {"1", "20", " 20 ", "1000000"})
    void aWholeNumberFromOneToAMillionIsTheLimit(String value) {
        assertEquals(Integer.parseInt(value.trim()), read(value).changesPerDay());
    }

    @org.junit.jupiter.api.Test
    void aNumberAsTheServerConfigurationDeliversItIsReadToo() {
        assertEquals(20, read(20).changesPerDay()); // a jndiEntry value that looks like a number arrives as one
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "1000001", "twenty", "", "2.5", "99999999999"})
    void anythingElseStopsTheStart(String value) {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> read(value));
        assertEquals("OSMS_IDENTITY_CHANGES_PER_DAY must be a whole number from 1 to 1000000", e.getMessage());
    }

    @org.junit.jupiter.api.Test
    void anUnsetValueStopsTheStart() {
        assertThrows(IllegalStateException.class, () -> read(null));
    }
}
