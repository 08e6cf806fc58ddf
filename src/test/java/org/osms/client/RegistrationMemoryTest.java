package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.osms.protocol.RegistrationPuzzle;
import org.osms.protocol.Username;

/**
 * The registration puzzle's memory, as a server announces it (up to 4 GiB per evaluation, which the protocol lets it
 * ask), against what this JVM can hold: fewer threads when one per processor would not fit, a clear refusal when not
 * even one does, never an OutOfMemoryError.
 */
class RegistrationMemoryTest {
    private static final long MIB = 1024 * 1024;

    private static RegistrationPuzzle.Difficulty memory(int kib) {
        return new RegistrationPuzzle.Difficulty(kib, 1, 8);
    }

    @Test
    void onePerProcessorWhileHalfTheHeapHoldsThem() {
        // the default 32 MiB: a 1 GiB heap holds 14 evaluations in its half
        assertEquals(8, OsmsClient.registrationThreads(memory(32 * 1024), 1024 * MIB, 8));
        assertEquals(2, OsmsClient.registrationThreads(memory(32 * 1024), 1024 * MIB, 2));
        assertEquals(8, OsmsClient.registrationThreads(memory(RegistrationPuzzle.MAX_MEMORY_KIB), Long.MAX_VALUE, 8),
                "no limit on the heap");
    }

    @Test
    void fewerThreadsWhenTheHeapHoldsFewerEvaluations() {
        assertEquals(3, OsmsClient.registrationThreads(memory(64 * 1024), 512 * MIB, 8));
        assertEquals(1, OsmsClient.registrationThreads(memory(256 * 1024), 1024 * MIB, 8));
        assertEquals(8, OsmsClient.registrationThreads(memory(RegistrationPuzzle.MIN_MEMORY_KIB), MIB, 8));
    }

    @Test
    void aPuzzleWhoseOneEvaluationDoesNotFitIsRefusedWithWhatItNeeds() {
        OsmsException e = assertThrows(OsmsException.class, () -> OsmsClient.registrationThreads(
                memory(RegistrationPuzzle.MAX_MEMORY_KIB), 4096 * MIB, 8));
        assertEquals("puzzle_too_large", e.code());
        assertTrue(e.getMessage().contains("4352 MiB") && e.getMessage().contains("2048 MiB")
                && e.getMessage().contains("-Xmx"), e.getMessage());
        assertEquals("puzzle_too_large", assertThrows(OsmsException.class, () -> OsmsClient.registrationThreads(
                memory(256 * 1024), 512 * MIB, 1)).code(), "just over half the heap");
    }

    /** A server announcing the most the protocol allows, to a client whose heap cannot hold it: refused, unspent. */
    @Test
    void registeringAgainstAPuzzleBeyondThisJvmStopsBeforeAllocatingIt() throws Exception {
        long maxMemory = Runtime.getRuntime().maxMemory();
        Assumptions.assumeTrue(maxMemory / 2 < RegistrationPuzzle.MAX_MEMORY_KIB * OsmsClient.ARGON2_BYTES_PER_KIB,
                "this JVM's heap could hold a 4 GiB evaluation");
        KeyPair key = KeyStoreFiles.generate();
        try (FakeServer server = new FakeServer()) {
            server.registrationMemoryKiB = RegistrationPuzzle.MAX_MEMORY_KIB;
            OsmsClient client = new OsmsClient(server.uri());
            OsmsException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
                    OsmsException.class, () -> client.register(Username.of("alice"), key, server.serverKey())));
            assertEquals("puzzle_too_large", e.code(), e.getMessage());
            assertEquals(List.of(), server.commands, "no register sent");
            assertEquals(1, server.terminations, "the registration conversation was ended");
        }
    }
}
