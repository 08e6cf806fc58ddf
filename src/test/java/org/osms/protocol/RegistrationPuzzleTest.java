package org.osms.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.osms.protocol.RegistrationPuzzle.Difficulty;

/**
 * The test vectors of docs/protocol.md ("Registration puzzle"). The expected outputs were computed with the Argon2
 * reference implementation (libargon2, argon2id_hash_raw), not with the code under test.
 */
class RegistrationPuzzleTest {
    private static final byte[] CHALLENGE = HexFormat.of().parseHex(
            "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    private static final String FINGERPRINT = "5d0e6a2f1c3b4a59687766554433221100ffeedd";

    @ParameterizedTest
    @CsvSource({
        // memoryKiB, iterations, username, counter, Argon2id output
        "8,    1, alice, 0,   df2d0b30e7a3a10336878a80e766a610cfa3d15e3ada4a825d58770dbdadbf7e",
        "1024, 2, alice, 0,   9e8a19b6e589bba4340dfcfa96b21215b737f34f2b38168ce1b0c62d53eac4de",
        "1024, 1, bob,   7,   57e31e15bbae5963477d2a5740ab1657093bfbe81b7d54d9a20de69cff400eba",
        "1024, 1, alice, 264, 00c5cf63bfef5e5d93e8e181ec244199aed047d209e3dcbdefa7ff1f8fc855b1",
    })
    void argon2idOutputsMatchTheVectors(int memoryKiB, int iterations, String username, long counter, String hex) {
        assertEquals(hex, HexFormat.of().formatHex(RegistrationPuzzle.evaluate(
                new Difficulty(memoryKiB, iterations, 0), CHALLENGE, username, FINGERPRINT, counter)));
    }

    @Test
    void theSmallestSolutionOfTheVectorIsFoundAndChecked() {
        Difficulty eightBits = new Difficulty(1024, 1, 8);
        assertEquals(264, RegistrationPuzzle.solve(eightBits, CHALLENGE, "alice", FINGERPRINT, 1));
        assertTrue(RegistrationPuzzle.isSolved(eightBits, CHALLENGE, "alice", FINGERPRINT, 264));
        assertFalse(RegistrationPuzzle.isSolved(eightBits, CHALLENGE, "alice", FINGERPRINT, 263));
        assertFalse(RegistrationPuzzle.isSolved(eightBits, CHALLENGE, "alice", FINGERPRINT, -1));
        // more threads find a solution too, and it checks out
        long parallel = RegistrationPuzzle.solve(eightBits, CHALLENGE, "alice", FINGERPRINT, 3);
        assertTrue(RegistrationPuzzle.isSolved(eightBits, CHALLENGE, "alice", FINGERPRINT, parallel));
    }

    @Test
    void aSolutionIsBoundToNameKeyConversationAndDifficulty() {
        Difficulty eightBits = new Difficulty(1024, 1, 8);
        assertFalse(RegistrationPuzzle.isSolved(eightBits, CHALLENGE, "mallory", FINGERPRINT, 264)
                || RegistrationPuzzle.isSolved(eightBits, CHALLENGE, "alice", "ab".repeat(20), 264)
                || RegistrationPuzzle.isSolved(eightBits, new byte[32], "alice", FINGERPRINT, 264)
                || RegistrationPuzzle.isSolved(new Difficulty(2048, 1, 8), CHALLENGE, "alice", FINGERPRINT, 264)
                || RegistrationPuzzle.isSolved(new Difficulty(1024, 1, 9), CHALLENGE, "alice", FINGERPRINT, 264));
    }

    @Test
    void difficultiesOutsideTheDocumentedRangesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new Difficulty(7, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new Difficulty(8, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Difficulty(8, 1, 33));
        assertEquals(1L << 10, new Difficulty(8, 1, 10).expectedAttempts());
    }

    @Test
    void theAdmissionPuzzleIsOneSha256OverTokenAndCounter() {
        // the vector of docs/protocol.md, computed with Python's hashlib: SHA-256("OSMS-ADMISSION-1:t.k:2078") =
        // 000c8d54..., 12 leading zero bits, and no smaller counter has 12
        assertEquals(2078, AdmissionPuzzle.solve("t.k", 12));
        assertTrue(AdmissionPuzzle.isSolved("t.k", 2078, 12));
        assertFalse(AdmissionPuzzle.isSolved("t.k", 2078, 13));
        assertFalse(AdmissionPuzzle.isSolved("t.k", 2077, 12));
        assertFalse(AdmissionPuzzle.isSolved("t.k", -1, 0));
    }
}
