package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
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
    /**
     * A thread for each check that waits, as each request has its own: not the common pool, which has one thread on
     * a machine with two processors, so that a second waiter would not even start while the first waits.
     */
    private final java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();

    @org.junit.jupiter.api.AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    /** Takes every turn, as checks running would. */
    private void allTurnsTaken() throws InterruptedException {
        for (int i = 0; i < RegistrationWork.CONCURRENT_CHECKS; i++) {
            assertEquals(CheckTurns.Wait.TAKEN, work.turns.take(System.nanoTime(), () -> false, 1));
        }
        assertEquals(0, work.turns.free());
    }

    private void allTurnsGiven() {
        for (int i = 0; i < RegistrationWork.CONCURRENT_CHECKS; i++) {
            work.turns.give();
        }
    }

    private CompletableFuture<Boolean> check(AtomicBoolean abandoned) {
        return CompletableFuture.supplyAsync(() -> work.isSolved(EASY, CHALLENGE, "alice", FINGERPRINT, 1,
                abandoned::get), threads);
    }

    @Test
    void aCheckWaitingForItsTurnGivesUpWhenItsConversationIsEnded() throws Exception {
        allTurnsTaken(); // two checks running
        AtomicBoolean abandoned = new AtomicBoolean();
        CompletableFuture<Boolean> waiting = check(abandoned);
        Thread.sleep(300);
        assertFalse(waiting.isDone(), "it waits for its turn");
        long ended = System.nanoTime();
        abandoned.set(true);
        ExecutionException e = assertThrows(ExecutionException.class, () -> waiting.get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof Authority.Lost, String.valueOf(e.getCause()));
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - ended) < 2_000, "within a wait slice or so");
        assertEquals(0, work.turns.free(), "it took no turn");
        assertEquals(0, work.turns.waiting(), "and left the line");
        allTurnsGiven();
        assertEquals(RegistrationWork.CONCURRENT_CHECKS, work.turns.free());
    }

    @Test
    void aCheckWhoseConversationLivesRunsWhenATurnIsFree() throws Exception {
        allTurnsTaken();
        CompletableFuture<Boolean> waiting = check(new AtomicBoolean());
        Thread.sleep(300);
        assertFalse(waiting.isDone());
        work.turns.give();
        assertTrue(waiting.get(10, TimeUnit.SECONDS), "the puzzle was checked, and solved");
        assertEquals(1, work.turns.free(), "its turn was given back");
        work.turns.give();
    }

    @Test
    void aConversationEndedBeforeItsTurnCostsNoEvaluation() {
        AtomicBoolean abandoned = new AtomicBoolean(true);
        ExecutionException e = assertThrows(ExecutionException.class, () -> check(abandoned).get(5, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof Authority.Lost, String.valueOf(e.getCause()));
        assertEquals(RegistrationWork.CONCURRENT_CHECKS, work.turns.free(), "its turn was given back");
    }

    /** First come, first served: waiting in slices does not send a waiter to the back of the line. */
    @Test
    void turnsGoInTheOrderTheChecksCame() throws Exception {
        allTurnsTaken();
        List<String> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        List<String> names = List.of("first", "second", "third");
        for (String name : names) {
            CompletableFuture.runAsync(() -> {
                try {
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                    if (work.turns.take(deadline, () -> false, TimeUnit.MILLISECONDS.toNanos(20))
                            == CheckTurns.Wait.TAKEN) {
                        order.add(name); // and keeps its turn
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, threads);
            waitUntil(() -> work.turns.waiting() == names.indexOf(name) + 1, name + " waits in line");
        }
        Thread.sleep(200); // ten slices each: a waiter polling a fair semaphore would have lost its place by now
        for (int i = 0; i < names.size(); i++) {
            work.turns.give();
            int taken = i + 1;
            waitUntil(() -> order.size() == taken, "one more turn was taken");
            Thread.sleep(50);
            assertEquals(names.subList(0, taken), order, "one turn given, the next in line took it");
        }
        allTurnsGiven();
        assertEquals(0, work.turns.waiting());
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition, String what) throws Exception {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < until, what);
            Thread.sleep(5);
        }
    }
}
