package org.osms.protocol;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.junit.jupiter.api.Test;

/**
 * Solving an admission puzzle for more work than it asks (docs/protocol.md, "Admission"): the first counter with the
 * zero bits wanted, unless that takes more than twice its average work, then the first with the bits asked. The
 * expected counters come from a plain search of SHA-256 over the documented input, not from the code under test.
 */
class AdmissionPuzzleTest {
    private static int zeros(String token, long counter) throws Exception {
        byte[] hash = MessageDigest.getInstance("SHA-256").digest(("OSMS-ADMISSION-1:" + token + ":" + counter)
                .getBytes(StandardCharsets.US_ASCII));
        int n = 0;
        for (byte b : hash) {
            if (b == 0) {
                n += 8;
                continue;
            }
            n += Integer.numberOfLeadingZeros(b & 0xff) - 24;
            break;
        }
        return n;
    }

    private static long first(String token, int bits) throws Exception {
        long c = 0;
        while (zeros(token, c) < bits) {
            c++;
        }
        return c;
    }

    @Test
    void theEffortIsTheHashsLeadingZeroBits() throws Exception {
        for (long c = 0; c < 200; c++) {
            assertEquals(zeros("token-e", c), AdmissionPuzzle.effort("token-e", c));
        }
        assertEquals(-1, AdmissionPuzzle.effort("token-e", -1));
    }

    @Test
    void aSearchForMoreFindsItOrFallsBackToTheFirstAnswerOfThePrice() throws Exception {
        int fellBack = 0;
        int foundMore = 0;
        for (int t = 0; t < 40; t++) {
            String token = "token-" + t;
            int bits = 3;
            int wanted = 9;
            long priced = first(token, bits);
            long more = first(token, wanted);
            long limit = 1L << (wanted + 1);
            long expected = more <= Math.max(priced, limit) ? more : priced;
            long got = AdmissionPuzzle.solve(token, bits, wanted, () -> false);
            assertEquals(expected, got, token);
            assertTrue(AdmissionPuzzle.effort(token, got) >= bits);
            if (got == more) {
                foundMore++;
            } else {
                fellBack++;
            }
        }
        assertTrue(foundMore > 0 && fellBack > 0, "both outcomes seen: " + foundMore + " / " + fellBack);
    }

    @Test
    void withoutMoreWantedItIsTheFirstAnswerOfThePrice() throws Exception {
        assertEquals(first("token-p", 8), AdmissionPuzzle.solve("token-p", 8, () -> false));
        assertEquals(first("token-p", 8), AdmissionPuzzle.solve("token-p", 8, 8, () -> false));
    }
}
