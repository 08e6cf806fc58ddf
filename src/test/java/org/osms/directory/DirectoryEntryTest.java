package org.osms.directory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.osms.protocol.Fingerprint;
import org.osms.protocol.Username;

/** What GET /user shows of an identity: its key only while published, a suspension hiding nothing it showed. */
class DirectoryEntryTest {
    private static final byte[] KEY = {0, 0, 1, 2, 3};
    private static final Fingerprint FINGERPRINT = Fingerprint.of("0ae782b86bd0aa1fc3b5d7e733ad37f6ea8dac81");

    private static DirectoryEntry entry(IdentityStatus status, IdentityStatus before) {
        return new DirectoryEntry(7, Username.of("alice"), status, before, KEY.clone(), FINGERPRINT);
    }

    @Test
    void anActiveIdentityShowsItsKeyAndFingerprint() {
        DirectoryEntry active = entry(IdentityStatus.ACTIVE, null);
        assertTrue(active.keyPublished());
        assertArrayEquals(KEY, active.publishedKey());
        assertEquals(FINGERPRINT, active.publishedFingerprint());
        assertNotSame(active.publishedKey(), active.publishedKey(), "each caller gets its own copy of the key");
    }

    @Test
    void aSuspensionShowsExactlyWhatTheStatusBeforeItShowed() {
        assertTrue(entry(IdentityStatus.SUSPENDED, IdentityStatus.ACTIVE).keyPublished());
        DirectoryEntry hidden = entry(IdentityStatus.SUSPENDED, IdentityStatus.UNPUBLISHED);
        assertFalse(hidden.keyPublished());
        assertThrows(IllegalStateException.class, hidden::publishedKey);
        assertThrows(IllegalStateException.class, hidden::publishedFingerprint);
    }

    @Test
    void unpublishedAndRevokedKeysAreNotShownThoughStillStored() {
        for (IdentityStatus status : new IdentityStatus[] {IdentityStatus.UNPUBLISHED, IdentityStatus.REVOKED}) {
            DirectoryEntry e = entry(status, null);
            assertFalse(e.keyPublished(), status.toString());
            assertThrows(IllegalStateException.class, e::publishedKey, status.toString());
        }
    }

    @Test
    void aDeletedIdentityHasNoKeyToShow() {
        DirectoryEntry deleted = new DirectoryEntry(7, Username.of("alice"), IdentityStatus.DELETED, null, null, null);
        assertFalse(deleted.keyPublished());
        assertThrows(IllegalStateException.class, deleted::publishedFingerprint);
    }

    @Test
    void aKeyWithoutItsFingerprintIsRefusedAsACorruptRow() {
        assertThrows(IllegalStateException.class, () -> new DirectoryEntry(7, Username.of("alice"),
                IdentityStatus.ACTIVE, null, KEY.clone(), null));
        assertThrows(IllegalStateException.class, () -> new DirectoryEntry(7, Username.of("alice"),
                IdentityStatus.ACTIVE, null, null, FINGERPRINT));
    }
}
