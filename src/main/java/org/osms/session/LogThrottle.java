package org.osms.session;

import java.time.Duration;

/**
 * At most one log line per interval for a condition that can repeat as often as requests arrive: the line that is
 * written says how many were left out since the one before, so the operator loses the lines, not the news. The count
 * of the occurrences after the last line written is told only by the next one: a burst that ends within the interval
 * shows as its first line. The time is passed in ({@link System#nanoTime} in service), compared by difference so
 * that it may wrap.
 */
final class LogThrottle {
    private final long intervalNanos;
    private boolean logged;
    private long lastLogged;
    private long leftOut;

    LogThrottle(Duration interval) {
        this.intervalNanos = interval.toNanos();
    }

    /**
     * One more occurrence at {@code nowNanos}: the number of occurrences left out since the last line when this one is
     * to be logged (0 for the first), or -1 when it is to be left out.
     */
    synchronized long occurred(long nowNanos) {
        if (logged && nowNanos - lastLogged < intervalNanos) {
            leftOut++;
            return -1;
        }
        logged = true;
        lastLogged = nowNanos;
        long count = leftOut;
        leftOut = 0;
        return count;
    }
}
