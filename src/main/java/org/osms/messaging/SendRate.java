package org.osms.messaging;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends per minute per sender, over a sliding minute. Kept in memory: it protects this server's mailboxes from one
 * flooding sender, and a restart forgetting the last minute is harmless.
 */
final class SendRate {
    private static final long MINUTE_MILLIS = 60_000;

    private final Map<Long, Deque<Long>> recent = new ConcurrentHashMap<>();

    /** Counts a send at {@code now} unless the sender already sent {@code perMinute} in the last minute. */
    boolean tryAcquire(long sender, long now, int perMinute) {
        boolean[] admitted = {false};
        // compute runs atomically for the sender's entry: a sweep cannot drop the queue between the look-up and the
        // count, which would count this send in a queue no later send sees
        recent.compute(sender, (k, known) -> {
            Deque<Long> times = known == null ? new ArrayDeque<>() : known;
            drop(times, now);
            if (times.size() < perMinute) {
                times.addLast(now);
                admitted[0] = true;
            }
            return times.isEmpty() ? null : times;
        });
        return admitted[0];
    }

    /** Sends counted in the minute before {@code now}. */
    int used(long sender, long now) {
        int[] used = {0};
        recent.computeIfPresent(sender, (k, times) -> {
            drop(times, now);
            used[0] = times.size();
            return times.isEmpty() ? null : times;
        });
        return used[0];
    }

    /** Forgets senders who sent nothing in the last minute (so the map does not grow with every sender ever). */
    void forgetIdle(long now) {
        for (Long sender : recent.keySet()) {
            recent.computeIfPresent(sender, (k, times) -> {
                drop(times, now);
                return times.isEmpty() ? null : times;
            });
        }
    }

    private static void drop(Deque<Long> times, long now) {
        while (!times.isEmpty() && times.peekFirst() <= now - MINUTE_MILLIS) {
            times.removeFirst();
        }
    }
}
