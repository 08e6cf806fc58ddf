package org.osms.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The benchmarks' load threads: one body per thread number, all joined, the first failure rethrown; a timed run
 * ({@link Benchmarks#once}) on them.
 */
class RunOnThreadsTest {
    @Test
    void eachNumberRunsOnceOnItsNamedThread() throws InterruptedException {
        Map<Integer, String> ran = new ConcurrentHashMap<>();
        Benchmarks.runOnThreads(3, "soak", t -> ran.put(t, Thread.currentThread().getName()), "unused");
        assertEquals(Map.of(0, "soak-0", 1, "soak-1", 2, "soak-2"), new TreeMap<>(ran));
    }

    @Test
    void aFailureIsRethrownOnceEveryThreadHasEnded() {
        RuntimeException first = new RuntimeException("refused");
        CountDownLatch failed = new CountDownLatch(1);
        Map<Integer, Boolean> finished = new ConcurrentHashMap<>();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Benchmarks.runOnThreads(2,
                "held", t -> {
                    if (t == 0) {
                        failed.countDown();
                        throw first;
                    }
                    try {
                        failed.await(); // ends only after the other has failed
                        Thread.sleep(50);
                    } catch (InterruptedException x) {
                        throw new AssertionError(x);
                    }
                    finished.put(t, true);
                }, "a login to hold failed"));
        assertEquals("a login to hold failed", e.getMessage());
        assertSame(first, e.getCause());
        assertEquals(Map.of(1, true), finished);
    }

    @Test
    void aTimedRunStartsNoOperationAfterItsLength() throws InterruptedException {
        AtomicInteger done = new AtomicInteger();
        Benchmarks.Sample s = Benchmarks.once(2, t -> {
            Thread.sleep(20);
            done.incrementAndGet();
        }, Duration.ofMillis(200));
        // each thread starts operations for 200 ms: at most 10 of 20 ms, and one more begun just before the end
        assertTrue(done.get() >= 1 && done.get() <= 22, done.toString());
        // the rate counts every operation over at least the run's length
        assertTrue(s.perSecond() > 0 && s.perSecond() <= done.get() / 0.2, s.toString());
    }

    @Test
    void aFailedOperationFailsTheTimedRunWithItsOwnCause() {
        Exception refused = new Exception("refused");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Benchmarks.once(2, t -> {
            if (t == 0) {
                throw refused;
            }
            Thread.sleep(5);
        }, Duration.ofMillis(100)));
        assertEquals("an operation failed", e.getMessage());
        assertSame(refused, e.getCause());
    }
}
