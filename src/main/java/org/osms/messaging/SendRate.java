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
        Deque<Long> times = recent.computeIfAbsent(sender, k -> new ArrayDeque<>());
        synchronized (times) {
            drop(times, now);
            if (times.size() >= perMinute) {
                return false;
            }
            times.addLast(now);
            return true;
        }
    }

    /** Sends counted in the minute before {@code now}. */
    int used(long sender, long now) {
        Deque<Long> times = recent.get(sender);
        if (times == null) {
            return 0;
        }
        synchronized (times) {
            drop(times, now);
            return times.size();
        }
    }

    /** Forgets senders who sent nothing in the last minute (so the map does not grow with every sender ever). */
    void forgetIdle(long now) {
        recent.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                drop(e.getValue(), now);
                return e.getValue().isEmpty();
            }
        });
    }

    private static void drop(Deque<Long> times, long now) {
        while (!times.isEmpty() && times.peekFirst() <= now - MINUTE_MILLIS) {
            times.removeFirst();
        }
    }
}
