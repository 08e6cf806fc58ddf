package org.osms.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osms.session.Wakeup;

/**
 * The long poll's bookkeeping: a fetch is woken by the first arrival after the version it noted, and mailboxes
 * nobody uses stop being tracked without a waiting fetch ever missing its message.
 */
class MailboxNotifierTest {
    private static final long ALICE = 7;
    private static final long BOB = 8;

    private final MovableClock clock = new MovableClock();
    private final MailboxNotifier notifier = new MailboxNotifier();

    @BeforeEach
    void wire() {
        notifier.clock = clock;
    }

    @Test
    void aWaitingFetchIsWokenOnceByTheNextArrivalOnly() {
        long seen = notifier.version(ALICE);
        AtomicInteger woken = new AtomicInteger();
        notifier.wakeupFor(ALICE, seen).onWake(woken::incrementAndGet);
        assertEquals(0, woken.get(), "nothing arrived since the fetch looked");
        assertEquals(1, notifier.waiting());

        notifier.arrived(BOB);
        assertEquals(0, woken.get(), "another mailbox's message wakes no one here");
        notifier.arrived(ALICE);
        notifier.arrived(ALICE);
        assertEquals(1, woken.get());
        assertEquals(0, notifier.waiting());
    }

    /** A waiter whose wake-up fails (its answer refused by the executor) does not keep the others waiting. */
    @Test
    void aWakeUpThatFailsDoesNotKeepTheOtherWaitersWaiting() {
        long seen = notifier.version(ALICE);
        AtomicInteger woken = new AtomicInteger();
        notifier.wakeupFor(ALICE, seen).onWake(woken::incrementAndGet);
        notifier.wakeupFor(ALICE, seen).onWake(() -> {
            throw new java.util.concurrent.RejectedExecutionException("refused");
        });
        notifier.wakeupFor(ALICE, seen).onWake(woken::incrementAndGet);
        notifier.arrived(ALICE);
        assertEquals(2, woken.get(), "both others woken");
        assertEquals(0, notifier.waiting());
    }

    @Test
    void aWaitRegisteredAfterAnArrivalFiresAtOnce() {
        long seen = notifier.version(ALICE);
        notifier.arrived(ALICE); // between the fetch's look and its wait
        AtomicInteger woken = new AtomicInteger();
        notifier.wakeupFor(ALICE, seen).onWake(woken::incrementAndGet);
        assertEquals(1, woken.get());
        assertEquals(0, notifier.waiting());
    }

    @Test
    void mailboxesUnusedSinceTheCutOffAreForgottenAndTheOthersKept() {
        notifier.version(ALICE);
        notifier.arrived(BOB);
        clock.advance(1_000);
        long cutoff = clock.millis() - 1;
        notifier.version(8_000); // used after the cut-off
        assertEquals(3, notifier.tracked());

        assertEquals(2, notifier.forgetIdle(cutoff));
        assertEquals(1, notifier.tracked());
        assertEquals(0, notifier.forgetIdle(cutoff), "nothing left to forget");
        assertEquals(1, notifier.tracked());
    }

    @Test
    void aMailboxWithAWaitingFetchIsKeptHoweverLongItWaitsAndTheFetchIsStillWoken() {
        long seen = notifier.version(ALICE);
        AtomicInteger woken = new AtomicInteger();
        notifier.wakeupFor(ALICE, seen).onWake(woken::incrementAndGet);
        clock.advance(3_600_000);

        assertEquals(0, notifier.forgetIdle(clock.millis()));
        assertEquals(1, notifier.tracked());
        notifier.arrived(ALICE);
        assertEquals(1, woken.get());
    }

    @Test
    void aCancelledWaitLeavesItsMailboxToBeForgottenOnceIdle() {
        long seen = notifier.version(ALICE);
        Wakeup.Registration wait = notifier.wakeupFor(ALICE, seen).onWake(() -> { });
        clock.advance(10_000);
        wait.cancel(); // the fetch's wait ran out: the mailbox was used now
        assertEquals(0, notifier.forgetIdle(clock.millis() - 1));
        assertEquals(1, notifier.forgetIdle(clock.millis()));
        assertEquals(0, notifier.tracked());
        assertEquals(0, notifier.waiting());
    }

    @Test
    void aVersionNotedBeforeItsMailboxWasForgottenNeverMatchesAgain() {
        long seen = notifier.version(ALICE);
        notifier.forgetIdle(clock.millis());
        assertEquals(0, notifier.tracked());
        notifier.arrived(ALICE); // tracked afresh: a new version, never one handed out before
        notifier.forgetIdle(clock.millis());
        assertNotEquals(seen, notifier.version(ALICE));

        AtomicInteger woken = new AtomicInteger();
        notifier.wakeupFor(ALICE, seen).onWake(woken::incrementAndGet);
        assertEquals(1, woken.get(), "the message that arrived meanwhile is not missed: the fetch looks again");
        assertEquals(0, notifier.waiting());
    }

    @Test
    void forgettingWhileFetchesWaitAndMessagesArriveLosesNoWakeup() throws Exception {
        int rounds = 20_000;
        AtomicInteger missed = new AtomicInteger();
        Thread sweeper = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                notifier.forgetIdle(Long.MAX_VALUE);
            }
        });
        sweeper.start();
        try {
            for (int i = 0; i < rounds; i++) {
                long seen = notifier.version(ALICE);
                AtomicInteger woken = new AtomicInteger();
                Wakeup.Registration wait = notifier.wakeupFor(ALICE, seen).onWake(woken::incrementAndGet);
                notifier.arrived(ALICE);
                if (woken.get() != 1) {
                    missed.incrementAndGet();
                }
                wait.cancel();
            }
        } finally {
            sweeper.interrupt();
            sweeper.join();
        }
        assertEquals(0, missed.get(), "every wait registered before an arrival is woken by it exactly once");
        assertEquals(0, notifier.waiting());
    }

    /** A clock the test moves by hand. */
    private static final class MovableClock extends Clock {
        private long millis = 1_700_000_000_000L;

        void advance(long by) {
            millis += by;
        }

        @Override
        public long millis() {
            return millis;
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }
}
