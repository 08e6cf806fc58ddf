package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.osms.protocol.AdmissionPuzzle;
import org.osms.protocol.RegistrationPuzzle;
import org.osms.protocol.Username;

/**
 * A server may ask for puzzles as hard as the protocol allows (40 bits of SHA-256 to be admitted, 32 bits of
 * Argon2id to register: days and years of work). The client searches no longer than an answer can still be used, the
 * two minutes within which an admission answer is accepted and the fifteen after which any unused conversation has
 * ended, then stops with {@code puzzle_too_hard} and sends nothing. The tests shorten both times.
 */
class PuzzleTimeTest {
    private static final KeyPair KEY = KeyStoreFiles.generate();

    @Test
    void theProtocolsBoundsAreTheDefaults() {
        assertEquals(Duration.ofMinutes(2), OsmsClient.ADMISSION_PUZZLE_TIME);
        assertEquals(Duration.ofMinutes(15), OsmsClient.REGISTRATION_PUZZLE_TIME);
    }

    @Test
    void anAdmissionPuzzleNotSolvedInItsTimeIsGivenUp() throws Exception {
        try (FakeServer server = new FakeServer()) {
            server.admissionBits = 40;
            OsmsClient client = new OsmsClient(server.uri());
            client.puzzleTimes(Duration.ofSeconds(1), OsmsClient.REGISTRATION_PUZZLE_TIME);
            long start = System.nanoTime();
            OsmsException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
                    OsmsException.class, () -> client.login(Username.of("alice"), KEY, server.serverKey())));
            long tookMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals("puzzle_too_hard", e.code(), e.getMessage());
            assertTrue(e.getMessage().startsWith("The server asked for an admission puzzle of 40 bits that this client"
                    + " did not solve within the 1 s"), e.getMessage());
            assertTrue(tookMillis >= 1_000, "it searched its time: " + tookMillis + " ms");
            assertEquals(0, client.puzzlesSolved());
            assertEquals(List.of(), server.commands);
        }
    }

    @Test
    void aRegistrationPuzzleNotSolvedInItsTimeIsGivenUpAndItsConversationEnded() throws Exception {
        try (FakeServer server = new FakeServer()) {
            server.registrationMemoryKiB = RegistrationPuzzle.MIN_MEMORY_KIB;
            server.registrationBits = RegistrationPuzzle.MAX_BITS;
            OsmsClient client = new OsmsClient(server.uri());
            client.puzzleTimes(OsmsClient.ADMISSION_PUZZLE_TIME, Duration.ofSeconds(1));
            OsmsException e = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> assertThrows(
                    OsmsException.class, () -> client.register(Username.of("alice"), KEY, server.serverKey())));
            assertEquals("puzzle_too_hard", e.code(), e.getMessage());
            assertTrue(e.getMessage().startsWith("The server asked for a registration puzzle of 32 bits"),
                    e.getMessage());
            assertEquals(List.of(), server.commands, "no register sent");
            assertEquals(1, server.terminations, "the registration conversation was ended");
        }
    }

    /**
     * The client searches one bit further than an admission puzzle asks and declares it (a conversation that paid
     * more outlasts a flood that pays only the price), and takes the first answer of the price, declaring nothing,
     * when that search has not succeeded after twice its average work. The puzzles here are fixed, so which answer
     * each gets is known beforehand.
     */
    @Test
    void anAdmissionPuzzleIsSolvedOneBitFurtherWhenThatComesInTime() throws Exception {
        int bits = 6;
        int searchedFor = 0;
        int tookThePrice = 0;
        for (int t = 0; t < 100 && (t < 8 || searchedFor == 0 || tookThePrice == 0); t++) {
            String token = "fixed-token-" + t;
            long priced = AdmissionPuzzle.solve(token, bits);
            long further = AdmissionPuzzle.solve(token, bits + 1);
            long expected = further <= Math.max(priced, 1L << (bits + 2)) ? further : priced;
            try (FakeServer server = new FakeServer()) {
                server.admissionBits = bits;
                server.admissionToken = token;
                server.register("alice", 11, KEY);
                new OsmsClient(server.uri()).login(Username.of("alice"), KEY, server.serverKey()).logout();
                assertEquals(List.of(expected), server.admissionCounters, token);
                assertEquals(List.of(expected == further ? String.valueOf(bits + 1) : ""), server.admissionEfforts,
                        "the effort is declared when it was found, and only then: " + token);
            }
            if (expected == further) {
                searchedFor++;
            } else {
                tookThePrice++;
            }
        }
        assertTrue(searchedFor > 0 && tookThePrice > 0, searchedFor + " / " + tookThePrice);
    }

    /** The time is a bound, not a delay: an easy puzzle is solved and used as before. */
    @Test
    void aPuzzleWithinItsTimeIsSolvedAndUsed() throws Exception {
        try (FakeServer server = new FakeServer()) {
            server.registrationMemoryKiB = RegistrationPuzzle.MIN_MEMORY_KIB;
            server.registrationBits = 2;
            OsmsClient client = new OsmsClient(server.uri());
            client.puzzleTimes(Duration.ofSeconds(1), Duration.ofSeconds(10));
            client.register(Username.of("alice"), KEY, server.serverKey()).logout();
            assertEquals(List.of("register"), server.commands);
        }
    }
}
