package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osms.protocol.AdmissionPuzzle;

/**
 * Admission's memory of used puzzle tokens (docs/protocol.md, "Admission"): bounded, and a full memory never refuses a
 * fresh answer (a 503 for everyone, which one client spending tokens fast enough could keep up); it forgets its
 * oldest tokens instead and refuses every token issued as early as those, so that none is accepted twice.
 */
class AdmissionSpentTokensTest {
    /** A clock the test moves. */
    private static final class TestClock extends Clock {
        Instant now = Instant.parse("2026-12-07T03:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private final TestClock clock = new TestClock();
    private Admission admission;

    @BeforeEach
    void halfFullLoginClass() {
        admission = AdmissionCircuitTest.admission(8, 8);
        admission.clock = clock;
        admission.maxSpent = 3;
        SecureRandom random = new SecureRandom();
        for (int i = 0; i < 4; i++) { // half the class's cap of 8: from now on a first call needs a puzzle
            admission.opened(SessionId.random(random), Admission.Kind.LOGIN, Circuit.LOCAL, 0);
        }
    }

    /** A puzzle issued now, and its answer. */
    private record Answer(String token, String counter) {
    }

    private Answer solvedPuzzle() {
        Admission.PuzzleRequired p = assertThrows(Admission.PuzzleRequired.class,
                () -> admission.check(Admission.Kind.LOGIN, Circuit.LOCAL, null, null, null));
        String token = p.headers().get(AdmissionPuzzle.PUZZLE_HEADER);
        int bits = Integer.parseInt(p.headers().get(AdmissionPuzzle.BITS_HEADER));
        clock.now = clock.now.plusMillis(1);
        return new Answer(token, Long.toString(AdmissionPuzzle.solve(token, bits)));
    }

    private void admit(Answer a) {
        admission.check(Admission.Kind.LOGIN, Circuit.LOCAL, a.token(), a.counter(), null);
    }

    private void assertRefusedWithAFreshPuzzle(Answer a, String why) {
        Admission.PuzzleRequired p = assertThrows(Admission.PuzzleRequired.class, () -> admit(a), why);
        assertEquals(429, p.status());
        assertEquals("puzzle_required", p.code());
    }

    @Test
    void aFullMemoryForgetsItsOldestTokensAndStillAdmitsFreshAnswers() {
        Answer unused = solvedPuzzle();
        Answer first = solvedPuzzle();
        Answer second = solvedPuzzle();
        Answer third = solvedPuzzle();
        Answer fourth = solvedPuzzle();
        admit(first);
        admit(second);
        admit(third);
        assertRefusedWithAFreshPuzzle(second, "a used token, still remembered");
        admit(fourth); // four used, three remembered: the first is forgotten, not a 503 for this answer
        assertRefusedWithAFreshPuzzle(first, "forgotten, and refused as one issued too early");
        assertRefusedWithAFreshPuzzle(unused, "issued before the forgotten token: it could be a used one");
        assertRefusedWithAFreshPuzzle(third, "still remembered");
        for (int i = 0; i < 10; i++) {
            Answer fresh = solvedPuzzle();
            admit(fresh); // the memory stays full, and every fresh answer is still admitted, once
            assertRefusedWithAFreshPuzzle(fresh, "used once");
        }
    }

    @Test
    void expiredTokensLeaveTheMemoryAndAreRefusedAsExpired() {
        Answer a = solvedPuzzle();
        Answer b = solvedPuzzle();
        admit(a);
        admit(b);
        assertEquals(2, admission.remembered());
        clock.now = clock.now.plus(Admission.PUZZLE_LIFETIME).plus(Duration.ofSeconds(1));
        assertRefusedWithAFreshPuzzle(a, "expired");
        Answer c = solvedPuzzle();
        admit(c);
        assertEquals(1, admission.remembered(), "the expired tokens were dropped: only the new one is remembered");
        assertRefusedWithAFreshPuzzle(c, "used once");
    }
}
