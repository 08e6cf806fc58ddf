package org.osms.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The benchmarks' load threads: one body per thread number, all joined, the first failure rethrown. */
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
}
