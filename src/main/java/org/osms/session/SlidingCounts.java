package org.osms.session;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Events per identity over a sliding window (sends per minute, new keys checked per hour). Kept in memory: it protects
 * this server from one identity's flood, and a restart forgetting the last window is harmless.
 */
public final class SlidingCounts {
    private final long windowMillis;
    private final Map<Long, Deque<Long>> recent = new ConcurrentHashMap<>();

    public SlidingCounts(Duration window) {
        this.windowMillis = window.toMillis();
    }

    /** Counts an event at {@code now} unless the identity already had {@code limit} in the window before it. */
    public boolean tryAcquire(long sender, long now, int limit) {
        Deque<Long> times = recent.computeIfAbsent(sender, k -> new ArrayDeque<>());
        synchronized (times) {
            drop(times, now);
            if (times.size() >= limit) {
                return false;
            }
            times.addLast(now);
            return true;
        }
    }

    /** Events counted in the window before {@code now}. */
    public int used(long sender, long now) {
        Deque<Long> times = recent.get(sender);
        if (times == null) {
            return 0;
        }
        synchronized (times) {
            drop(times, now);
            return times.size();
        }
    }

    /** Forgets identities with nothing in the window (so the map does not grow with every identity ever). */
    public void forgetIdle(long now) {
        recent.entrySet().removeIf(e -> {
            synchronized (e.getValue()) {
                drop(e.getValue(), now);
                return e.getValue().isEmpty();
            }
        });
    }

    private void drop(Deque<Long> times, long now) {
        while (!times.isEmpty() && times.peekFirst() <= now - windowMillis) {
            times.removeFirst();
        }
    }
}
