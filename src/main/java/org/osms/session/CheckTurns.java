package org.osms.session;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Turns at a scarce resource (the registration puzzle's Argon2id checks), at most a few at once, first come first
 * served, for waiters that may give up: one whose conversation ended, or that waited too long, leaves the line at
 * once and holds no one behind it. A fair semaphore polled in slices would not do: each waiter that times out of a
 * slice rejoins its queue at the back.
 */
final class CheckTurns {
    /** How a wait for a turn ended. */
    enum Wait {
        TAKEN, TIMED_OUT, GAVE_UP
    }

    private final int turns;
    private final ArrayDeque<Object> line = new ArrayDeque<>();
    private int held;

    CheckTurns(int turns) {
        this.turns = turns;
    }

    /**
     * Waits in line for a turn until {@code deadline} ({@link System#nanoTime}), looking every {@code sliceNanos}
     * whether {@code giveUp} has turned true. A turn taken must be given back ({@link #give}).
     */
    synchronized Wait take(long deadline, BooleanSupplier giveUp, long sliceNanos) throws InterruptedException {
        Object me = new Object();
        line.addLast(me);
        try {
            while (line.peekFirst() != me || held >= turns) {
                if (giveUp.getAsBoolean()) {
                    return Wait.GAVE_UP;
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return Wait.TIMED_OUT;
                }
                TimeUnit.NANOSECONDS.timedWait(this, Math.min(left, sliceNanos));
            }
            held++;
            return Wait.TAKEN;
        } finally {
            line.remove(me);
            notifyAll(); // the next in line may be first now
        }
    }

    synchronized void give() {
        held--;
        notifyAll();
    }

    /** Turns no one holds now. */
    synchronized int free() {
        return turns - held;
    }

    /** Waiters in line now. */
    synchronized int waiting() {
        return line.size();
    }
}
