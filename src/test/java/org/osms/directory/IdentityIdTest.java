package org.osms.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.SecureRandom;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

/** New identity ids stay within the integers a JSON number carries exactly in JavaScript (docs/protocol.md). */
class IdentityIdTest {
    private static final long MAX_SAFE_INTEGER = 9007199254740991L; // Number.MAX_SAFE_INTEGER

    /** Hands out the given 64-bit values in order, so the extremes can be tested. */
    private static final class Scripted extends SecureRandom {
        private static final long serialVersionUID = 1L;
        private final Deque<Long> values;

        Scripted(Long... values) {
            this.values = new ArrayDeque<>(List.of(values));
        }

        @Override
        public long nextLong() {
            return values.removeFirst();
        }
    }

    @Test
    void allBitsSetGivesTheLargestSafeInteger() {
        assertEquals(MAX_SAFE_INTEGER, Directory.MAX_IDENTITY_ID);
        assertEquals(MAX_SAFE_INTEGER, Directory.newIdentityId(new Scripted(-1L)));
        assertEquals(MAX_SAFE_INTEGER, Directory.newIdentityId(new Scripted(Long.MAX_VALUE)));
    }

    @Test
    void zeroIsNeverAnIdAndIsDrawnAgain() {
        // Long.MIN_VALUE and 2^53 have no bit below 2^53: both would be 0.
        assertEquals(7, Directory.newIdentityId(new Scripted(0L, Long.MIN_VALUE, 1L << 53, 7L)));
    }

    @Test
    void realDrawsStayInRange() {
        SecureRandom random = new SecureRandom();
        long highest = 0;
        for (int i = 0; i < 100_000; i++) {
            long id = Directory.newIdentityId(random);
            assertTrue(id >= 1 && id <= MAX_SAFE_INTEGER, Long.toString(id));
            highest = Math.max(highest, id);
        }
        assertTrue(highest > MAX_SAFE_INTEGER / 2, "the whole range is used, not a small corner of it");
    }
}
