package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PeerPinsTest {
    private static final String A = "http://a.example.onion";
    private static final String B = "http://b.example.onion";
    private static final PeerPins.Pin ALICE_A = new PeerPins.Pin("a".repeat(40), 7);

    @TempDir
    Path dir;

    @Test
    void theFirstPinCreatesAPrivateDirectoryAndAPrivateFile() throws Exception {
        Path home = dir.resolve("osms");
        PeerPins pins = new PeerPins(home, A);
        assertEquals(Optional.empty(), pins.pinned("alice"));
        assertFalse(Files.exists(home), "reading creates nothing");

        pins.pin("alice", ALICE_A);
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(pins.file())));
        try (Stream<Path> files = Files.list(home)) {
            assertEquals(List.of(pins.file()), files.toList(), "no temporary file left behind");
        }
        assertEquals(Optional.of(ALICE_A), new PeerPins(home, A).pinned("alice"), "read back by a new instance");
    }

    @Test
    void twoServersNeverShareAPin() throws Exception {
        PeerPins onA = new PeerPins(dir, A);
        PeerPins onB = new PeerPins(dir, B);
        onA.pin("alice", ALICE_A);
        assertEquals(Optional.empty(), onB.pinned("alice"), "alice of server B is someone else");

        PeerPins.Pin aliceOnB = new PeerPins.Pin("b".repeat(40), 99);
        onB.pin("alice", aliceOnB);
        assertEquals(Optional.of(ALICE_A), onA.pinned("alice"));
        assertEquals(Optional.of(aliceOnB), onB.pinned("alice"));
        assertEquals(A + " alice " + "a".repeat(40) + " 7\n" + B + " alice " + "b".repeat(40) + " 99\n",
                Files.readString(onA.file()));
    }

    @Test
    void aNewPinReplacesOnlyThatServersLineForThatName() throws Exception {
        PeerPins onA = new PeerPins(dir, A);
        onA.pin("alice", ALICE_A);
        onA.pin("bob", new PeerPins.Pin("c".repeat(40), 8));
        new PeerPins(dir, B).pin("alice", new PeerPins.Pin("d".repeat(40), 9));

        onA.pin("alice", new PeerPins.Pin("e".repeat(40), 7));
        assertEquals(A + " bob " + "c".repeat(40) + " 8\n" + B + " alice " + "d".repeat(40) + " 9\n"
                + A + " alice " + "e".repeat(40) + " 7\n", Files.readString(onA.file()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(onA.file())));
    }

    @Test
    void aDamagedFileIsRefusedAndNeverRewritten() throws Exception {
        PeerPins pins = new PeerPins(dir, A);
        pins.pin("alice", ALICE_A);
        String damaged = Files.readString(pins.file()) + A + " bob not-a-fingerprint 8\n";
        Files.writeString(pins.file(), damaged);

        assertEquals("bad_pins", assertThrows(OsmsException.class, () -> pins.pinned("alice")).code());
        assertEquals("bad_pins", assertThrows(OsmsException.class,
                () -> pins.pin("carol", new PeerPins.Pin("c".repeat(40), 9))).code());
        assertEquals(damaged, Files.readString(pins.file()), "alice's pin is not lost to a rewrite");

        Files.writeString(pins.file(), A + " bob " + "c".repeat(40) + " 99999999999999999999\n");
        assertEquals("bad_pins", assertThrows(OsmsException.class, () -> pins.pinned("bob")).code(),
                "an identity id beyond 64 bits is damage, not a crash");
    }

    @Test
    void aChangedKeyIsPinnedUnconfirmedUntilTheUserConfirmsThatVeryKey() throws Exception {
        PeerPins pins = new PeerPins(dir, A);
        assertEquals("not_pinned", assertThrows(OsmsException.class, () -> pins.confirm("alice", "a".repeat(40)))
                .code());
        pins.pin("alice", new PeerPins.Pin("a".repeat(40), 7, false));
        pins.pin("bob", new PeerPins.Pin("c".repeat(40), 8));
        String unconfirmed = A + " alice " + "a".repeat(40) + " 7 unconfirmed\n"
                + A + " bob " + "c".repeat(40) + " 8\n";
        assertEquals(unconfirmed, Files.readString(pins.file()));
        assertEquals(Optional.of(new PeerPins.Pin("a".repeat(40), 7, false)), new PeerPins(dir, A).pinned("alice"));

        assertEquals("fingerprint_mismatch", assertThrows(OsmsException.class,
                () -> pins.confirm("alice", "b".repeat(40))).code());
        assertEquals(unconfirmed, Files.readString(pins.file()), "another key confirms nothing");
        assertTrue(pins.confirm("alice", "a".repeat(40)));
        assertEquals(Optional.of(ALICE_A), pins.pinned("alice"));
        assertFalse(pins.confirm("alice", "a".repeat(40)), "confirmed already");
        assertEquals(A + " bob " + "c".repeat(40) + " 8\n" + A + " alice " + "a".repeat(40) + " 7\n",
                Files.readString(pins.file()));

        Files.writeString(pins.file(), A + " alice " + "a".repeat(40) + " 7 confirmed\n");
        assertEquals("bad_pins", assertThrows(OsmsException.class, () -> pins.pinned("alice")).code(),
                "a fifth word other than unconfirmed is damage");
    }

    @Test
    void onlyCanonicalNamesAndFingerprintsArePinned() {
        PeerPins pins = new PeerPins(dir, A);
        assertThrows(IllegalArgumentException.class, () -> pins.pin("Alice", ALICE_A));
        assertThrows(IllegalArgumentException.class, () -> pins.pin("al ice", ALICE_A));
        assertThrows(IllegalArgumentException.class, () -> new PeerPins.Pin("A".repeat(40), 7));
        assertThrows(IllegalArgumentException.class, () -> new PeerPins.Pin("a".repeat(40), 0),
                "an id the file could not be read back with is never written");
        assertThrows(IllegalArgumentException.class, () -> new PeerPins(dir, "http://a b"));
        assertFalse(Files.exists(pins.file()));
    }
}
