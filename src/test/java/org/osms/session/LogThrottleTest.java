package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** One line per interval at most, and the line that is written counts the occurrences left out before it. */
class LogThrottleTest {
    private static final long MINUTE = Duration.ofMinutes(1).toNanos();
    private final LogThrottle throttle = new LogThrottle(Duration.ofMinutes(1));

    @Test
    void theFirstIsLoggedTheRestOfTheIntervalCountedAndTheNextLineSaysHowMany() {
        long t = 1_000;
        assertEquals(0, throttle.occurred(t), "the first is logged, nothing left out before it");
        assertEquals(-1, throttle.occurred(t + 1));
        assertEquals(-1, throttle.occurred(t + MINUTE / 2));
        assertEquals(-1, throttle.occurred(t + MINUTE - 1), "still within the minute");
        assertEquals(3, throttle.occurred(t + MINUTE), "a minute on: logged, with the 3 left out");
        assertEquals(-1, throttle.occurred(t + MINUTE + 1), "the minute starts again from the line written");
        assertEquals(1, throttle.occurred(t + 5 * MINUTE), "the count starts again too");
    }

    @Test
    void theClockMayWrap() {
        long t = Long.MAX_VALUE - MINUTE / 2;
        assertEquals(0, throttle.occurred(t));
        assertEquals(-1, throttle.occurred(t + MINUTE / 4), "within the minute");
        assertEquals(-1, throttle.occurred(t + MINUTE - 1), "past Long.MAX_VALUE, still within the minute");
        assertEquals(2, throttle.occurred(t + MINUTE), "past Long.MAX_VALUE, a minute on");
    }

    @Test
    void aStartingClockOfAnyValueLogsTheFirst() {
        assertEquals(0, throttle.occurred(Long.MIN_VALUE), "no occurrence before it, whatever nanoTime's origin");
        assertEquals(-1, throttle.occurred(Long.MIN_VALUE + 1));
    }
}
