package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.osms.protocol.RegistrationPuzzle;

/**
 * The registration puzzle's checks on the server: at most two at a time, and a check waiting for its turn gives up
 * as soon as its conversation is ended, so that conversations displaced or expired (which the registry no longer
 * counts) cannot keep checks, and their threads, waiting.
 */
class RegistrationWorkTest {
    /** Any counter solves it: zero bits, the smallest Argon2id. */
    private static final RegistrationPuzzle.Difficulty EASY = new RegistrationPuzzle.Difficulty(8, 1, 0);
    private static final byte[] CHALLENGE = new byte[32];
    private static final String FINGERPRINT = "0123456789abcdef0123456789abcdef01234567";

    private final RegistrationWork work = new RegistrationWork();

    private CompletableFuture<Boolean> check(AtomicBoolean abandoned) {
        return CompletableFuture.supplyAsync(() -> work.isSolved(EASY, CHALLENGE, "alice", FINGERPRINT, 1,
                abandoned::get));
    }

    @Test
    void aCheckWaitingForItsTurnGivesUpWhenItsConversationIsEnded() throws Exception {
        work.checks.acquire(RegistrationWork.CONCURRENT_CHECKS); // two checks running
        AtomicBoolean abandoned = new AtomicBoolean();
        CompletableFuture<Boolean> waiting = check(abandoned);
        Thread.sleep(300);
        assertFalse(waiting.isDone(), "it waits for its turn");
        long ended = System.nanoTime();
        abandoned.set(true);
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof Authority.Lost, String.valueOf(e.getCause()));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ended) < 2_000, "within a wait slice or so");
        assertEquals(0, work.checks.availablePermits(), "it took no turn");
        work.checks.release(RegistrationWork.CONCURRENT_CHECKS);
        assertEquals(RegistrationWork.CONCURRENT_CHECKS, work.checks.availablePermits());
    }

    @Test
    void aCheckWhoseConversationLivesRunsWhenATurnIsFree() throws Exception {
        work.checks.acquire(RegistrationWork.CONCURRENT_CHECKS);
        CompletableFuture<Boolean> waiting = check(new AtomicBoolean());
        Thread.sleep(300);
        assertFalse(waiting.isDone());
        work.checks.release();
        assertTrue(waiting.get(10, TimeUnit.SECONDS), "the puzzle was checked, and solved");
        assertEquals(1, work.checks.availablePermits(), "its turn was given back");
        work.checks.release();
    }

    @Test
    void aConversationEndedBeforeItsTurnCostsNoEvaluation() {
        AtomicBoolean abandoned = new AtomicBoolean(true);
        ExecutionException e = assertThrows(ExecutionException.class, () -> check(abandoned).get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof Authority.Lost, String.valueOf(e.getCause()));
        assertEquals(RegistrationWork.CONCURRENT_CHECKS, work.checks.availablePermits(), "its turn was given back");
    }
}
