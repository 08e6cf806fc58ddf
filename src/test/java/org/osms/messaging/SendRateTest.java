package org.osms.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SendRateTest {
    @Test
    void aSenderGetsItsLimitPerSlidingMinuteAndNoMore() {
        SendRate rate = new SendRate();
        long t = 1_000_000;
        for (int i = 0; i < 3; i++) {
            assertTrue(rate.tryAcquire(7, t + i * 1000, 3));
        }
        assertFalse(rate.tryAcquire(7, t + 59_999, 3), "the fourth within a minute of the first");
        assertTrue(rate.tryAcquire(8, t + 59_999, 3), "another sender is not affected");
        assertEquals(3, rate.used(7, t + 59_999));
        assertTrue(rate.tryAcquire(7, t + 60_000, 3), "the first send has left the window");
        assertFalse(rate.tryAcquire(7, t + 60_500, 3));
        assertEquals(3, rate.used(7, t + 60_500));
    }

    @Test
    void idleSendersAreForgotten() {
        SendRate rate = new SendRate();
        rate.tryAcquire(1, 0, 5);
        rate.forgetIdle(60_000);
        assertEquals(0, rate.used(1, 60_000));
        assertTrue(rate.tryAcquire(1, 60_000, 1));
    }

    /**
     * Forgetting idle senders while they send never lets a send go uncounted: for each of many fresh senders two
     * threads race for its one send a minute while a third forgets idle senders without pause; no sender gets two.
     * (Counted in a queue the sweep had just dropped from the map, a send would be lost to the limit.)
     */
    @Test
    void forgettingIdleSendersWhileTheySendCountsEverySend() throws Exception {
        SendRate rate = new SendRate();
        int senders = 100_000;
        AtomicInteger[] admitted = new AtomicInteger[senders + 1];
        for (int i = 0; i <= senders; i++) {
            admitted[i] = new AtomicInteger();
        }
        AtomicBoolean done = new AtomicBoolean();
        Thread sweeper = new Thread(() -> {
            while (!done.get()) {
                rate.forgetIdle(0);
            }
        });
        CyclicBarrier round = new CyclicBarrier(2);
        Callable<Void> racer = () -> {
            for (int sender = 1; sender <= senders; sender++) {
                round.await(10, TimeUnit.SECONDS);
                if (rate.tryAcquire(sender, 0, 1)) {
                    admitted[sender].incrementAndGet();
                }
            }
            return null;
        };
        ExecutorService racers = Executors.newFixedThreadPool(2);
        sweeper.start();
        try {
            for (Future<Void> f : racers.invokeAll(List.of(racer, racer))) {
                f.get();
            }
        } finally {
            done.set(true);
            sweeper.join();
            racers.shutdownNow();
        }
        long wrong = Arrays.stream(admitted).skip(1).filter(a -> a.get() != 1).count();
        assertEquals(0, wrong, "senders admitted other than once, of " + senders);
    }
}
