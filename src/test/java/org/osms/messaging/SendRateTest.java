package org.osms.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
}
