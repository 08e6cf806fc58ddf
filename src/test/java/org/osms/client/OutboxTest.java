package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutboxTest {
    private static final String SERVER = "http://osms.example.onion";
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(1_795_572_740_000L), ZoneOffset.UTC);

    @TempDir
    Path dir;

    @Test
    void waitingTextsSurviveANewInstanceInTheOrderTheyWereWritten() {
        Path home = dir.resolve("osms");
        Outbox first = Outbox.in(home, SERVER, CLOCK);
        Outbox.Entry one = first.add("bob", "first");
        Outbox.Entry two = first.add("carol", "to carol");
        Outbox.Entry three = first.add("bob", "second\nwith a new line, and ünïcödé");

        Outbox later = Outbox.in(home, SERVER); // another process, later
        assertEquals(List.of(one, three), later.waiting("bob"));
        assertEquals(List.of(one, two, three), later.all());
        assertEquals(List.of(), later.waiting("dave"));
        assertEquals(1_795_572_740_000L, one.queuedAt());
        assertNotEquals(one.id(), three.id());
    }

    @Test
    void theFileIsPrivateFromItsCreationAndNoTemporaryFileStays() throws Exception {
        Path home = dir.resolve("osms");
        Outbox outbox = Outbox.in(home, SERVER);
        outbox.add("bob", "a secret");
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(home)));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(outbox.file())));
        outbox.remove(outbox.waiting("bob").get(0));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(outbox.file())));
        try (Stream<Path> files = Files.list(home)) {
            assertEquals(List.of(outbox.file()), files.toList());
        }
    }

    @Test
    void removingATextRemovesThatOneOnly() {
        Outbox outbox = Outbox.in(dir, SERVER);
        Outbox.Entry one = outbox.add("bob", "same text");
        Outbox.Entry two = outbox.add("bob", "same text");
        Outbox.Entry three = outbox.add("bob", "third");
        outbox.remove(one);
        assertEquals(List.of(two, three), Outbox.in(dir, SERVER).waiting("bob"), "the twin text still waits");
        outbox.remove(one);
        assertEquals(List.of(two, three), outbox.waiting("bob"), "removing twice removes nothing more");
    }

    @Test
    void eachServerHasItsOwnTexts() {
        Outbox a = Outbox.in(dir, SERVER);
        Outbox b = Outbox.in(dir, "http://other.example.onion");
        Outbox.Entry toBobOnA = a.add("bob", "for bob on A");
        Outbox.Entry toBobOnB = b.add("bob", "for bob on B");
        assertEquals(List.of(toBobOnA), a.waiting("bob"));
        assertEquals(List.of(toBobOnB), b.all());
        b.remove(toBobOnA);
        assertEquals(List.of(toBobOnA), a.waiting("bob"), "an entry of another server is not removed");
    }

    @Test
    void aDamagedFileIsRefusedWithoutEchoingItsTexts() throws Exception {
        Outbox outbox = Outbox.in(dir, SERVER);
        outbox.add("bob", "kept");
        String damaged = Files.readString(outbox.file()) + "{\"server\":\"" + SERVER + "\",\"to\":\"bob\","
                + "\"text\":\"a private text\"\n";
        Files.writeString(outbox.file(), damaged);
        OsmsException e = assertThrows(OsmsException.class, () -> outbox.waiting("bob"));
        assertEquals("bad_outbox", e.code());
        assertFalse(e.getMessage().contains("private text") || e.getMessage().contains("kept"), e.getMessage());
        assertThrows(OsmsException.class, () -> outbox.add("bob", "more"));
        assertEquals(damaged, Files.readString(outbox.file()), "nothing waiting is lost to a rewrite");
    }

    @Test
    void inMemoryTextsLiveAsLongAsTheOutbox() {
        Outbox memory = Outbox.inMemory();
        Outbox.Entry one = memory.add("bob", "one");
        Outbox.Entry two = memory.add("bob", "two");
        memory.remove(one);
        assertEquals(List.of(two), memory.waiting("bob"));
        assertEquals(null, memory.file());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(0, files.count());
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
