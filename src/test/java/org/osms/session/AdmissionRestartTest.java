package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.SecureRandom;
import org.junit.jupiter.api.Test;
import org.osms.protocol.AdmissionPuzzle;
import org.osms.web.ApiException;

/**
 * A puzzle answered across a restart of the server: its key is new, so the token no longer verifies. The client did
 * nothing wrong, and gets a fresh puzzle ({@code 429 puzzle_required}), not {@code 400 bad_puzzle}, which tells it
 * that it has a bug.
 */
class AdmissionRestartTest {
    private static final Circuit A = Circuit.of("fc00:dead:beef:4dad::1");
    private final SecureRandom random = new SecureRandom();

    /** An admission whose login class is half full (4 of 8, from four other circuits): it asks for a puzzle. */
    private Admission halfFull() {
        Admission a = AdmissionCircuitTest.admission(8, 8);
        for (int i = 2; i <= 5; i++) {
            a.opened(SessionId.random(random), Admission.Kind.LOGIN, Circuit.of("fc00:dead:beef:4dad::" + i), 0);
        }
        return a;
    }

    @Test
    void anAnswerToAPuzzleOfTheServerBeforeItsRestartGetsAFreshPuzzle() {
        Admission before = halfFull();
        Admission.PuzzleRequired asked = assertThrows(Admission.PuzzleRequired.class,
                () -> before.check(Admission.Kind.LOGIN, A, null, null, null));
        String token = asked.headers().get(AdmissionPuzzle.PUZZLE_HEADER);
        int bits = Integer.parseInt(asked.headers().get(AdmissionPuzzle.BITS_HEADER));
        String counter = String.valueOf(AdmissionPuzzle.solve(token, bits));

        Admission restarted = halfFull();
        Admission.PuzzleRequired again = assertThrows(Admission.PuzzleRequired.class,
                () -> restarted.check(Admission.Kind.LOGIN, A, token, counter, null));
        assertEquals(429, again.status());
        assertEquals("puzzle_required", again.code());
        assertNotEquals(token, again.headers().get(AdmissionPuzzle.PUZZLE_HEADER));
        assertEquals(0, restarted.remembered(), "nothing spent");

        // the same answer to the server that issued it is admitted; a malformed token is still the client's bug
        assertDoesNotThrow(() -> before.check(Admission.Kind.LOGIN, A, token, counter, null));
        ApiException malformed = assertThrows(ApiException.class,
                () -> restarted.check(Admission.Kind.LOGIN, A, token.substring(0, token.indexOf('.')), counter, null));
        assertEquals("bad_puzzle", malformed.code());
    }
}
