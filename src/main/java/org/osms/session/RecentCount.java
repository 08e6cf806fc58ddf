package org.osms.session;

import java.time.Instant;

/**
 * How many events happened in the last {@code slots} periods of {@code periodSeconds} each: a ring of counters, so
 * the memory it takes is fixed however many events there are. Not thread-safe; its owner synchronises.
 */
final class RecentCount {
    private final long periodSeconds;
    private final long[] counts;
    private final long[] periods;

    RecentCount(int slots, long periodSeconds) {
        this.periodSeconds = periodSeconds;
        this.counts = new long[slots];
        this.periods = new long[slots];
    }

    void add(Instant now) {
        long period = now.getEpochSecond() / periodSeconds;
        int slot = (int) Math.floorMod(period, (long) counts.length);
        if (periods[slot] != period) {
            periods[slot] = period;
            counts[slot] = 0;
        }
        counts[slot]++;
    }

    long total(Instant now) {
        long period = now.getEpochSecond() / periodSeconds;
        long sum = 0;
        for (int i = 0; i < counts.length; i++) {
            if (period - periods[i] < counts.length && periods[i] <= period) {
                sum += counts[i];
            }
        }
        return sum;
    }

    /**
     * Extra difficulty bits for a load of {@code count} against a {@code target}: none up to the target, then one
     * bit for each doubling, so that the work an attacker must spend grows with the rate it pushes.
     */
    static int extraBits(long count, long target) {
        if (count <= target) {
            return 0;
        }
        long ratio = (count + target - 1) / target; // ceil(count / target), at least 2
        return 64 - Long.numberOfLeadingZeros(ratio - 1); // ceil(log2(ratio))
    }
}
