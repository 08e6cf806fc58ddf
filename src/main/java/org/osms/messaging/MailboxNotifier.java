package org.osms.messaging;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.osms.session.Wakeup;

/**
 * Wakes the fetches waiting on a mailbox when a message for it is committed (the long poll). Each mailbox has a
 * version that changes with every committed arrival: a fetch notes the version before it looks, and a wait registered
 * after a newer arrival fires at once, so no message slips between looking and waiting.
 *
 * <p>A mailbox is tracked only while it is in use: {@link #forgetIdle} drops those without a waiting fetch and unused
 * since a cut-off ({@link RetentionSweeper} calls it), so memory follows the mailboxes used lately, not every mailbox
 * ever used. Versions come from one counter for all mailboxes and are never handed out twice, so a version noted
 * before its mailbox was forgotten matches nothing after: that wait fires at once, and the fetch looks again.
 */
@ApplicationScoped
public class MailboxNotifier {
    private static final Logger LOG = Logger.getLogger(MailboxNotifier.class.getName());
    @Resource(lookup = "java:comp/TransactionSynchronizationRegistry")
    TransactionSynchronizationRegistry transactions;

    @Inject
    Clock clock;

    private final Map<Long, Waiters> byMailbox = new ConcurrentHashMap<>();
    private final AtomicLong versions = new AtomicLong();

    /** One tracked mailbox; every field is guarded by the object's own lock. */
    private static final class Waiters {
        private long version;
        private long lastUsed;
        /** Set, under the lock, when the entry leaves the map: a caller holding it must take the map's current one. */
        private boolean forgotten;
        private final Set<Runnable> waiting = new LinkedHashSet<>();
    }

    private Waiters of(long mailbox) {
        return byMailbox.computeIfAbsent(mailbox, k -> {
            Waiters w = new Waiters();
            w.version = versions.incrementAndGet();
            return w;
        });
    }

    /** The mailbox's version now: read it before looking for messages, hand it to {@link #wakeupFor}. */
    public long version(long mailbox) {
        while (true) {
            Waiters w = of(mailbox);
            synchronized (w) {
                if (!w.forgotten) {
                    w.lastUsed = clock.millis();
                    return w.version;
                }
            }
        }
    }

    /** Fires once a message arrives in the mailbox after version {@code seen}. */
    public Wakeup wakeupFor(long mailbox, long seen) {
        return wake -> {
            Waiters w = of(mailbox);
            synchronized (w) {
                // a forgotten entry's version is no longer the mailbox's: fire, as for any version other than seen
                if (!w.forgotten && w.version == seen) {
                    w.waiting.add(wake);
                    w.lastUsed = clock.millis();
                    return () -> {
                        synchronized (w) {
                            w.waiting.remove(wake);
                            w.lastUsed = clock.millis();
                        }
                    };
                }
            }
            wake.run();
            return () -> { };
        };
    }

    /**
     * A message for the mailbox is stored in the current transaction: wake its waiters once it ends, unless it rolled
     * back. A commit whose outcome the transaction manager does not know (a connection lost while committing:
     * {@code unknown_outcome}) wakes them too, since the message may be there: a needless wake-up costs one read.
     */
    void arrivesOnCommit(long mailbox) {
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                // nothing: only the outcome matters
            }

            @Override
            public void afterCompletion(int status) {
                if (status != Status.STATUS_ROLLEDBACK) {
                    arrived(mailbox);
                }
            }
        });
    }

    /** A message for the mailbox has been committed. */
    void arrived(long mailbox) {
        List<Runnable> wake;
        while (true) {
            Waiters w = of(mailbox);
            synchronized (w) {
                if (w.forgotten) {
                    continue;
                }
                w.version = versions.incrementAndGet();
                w.lastUsed = clock.millis();
                wake = new ArrayList<>(w.waiting);
                w.waiting.clear();
            }
            break;
        }
        for (Runnable w : wake) {
            try {
                w.run();
            } catch (RuntimeException e) {
                // one fetch that could not be woken (its answer refused by the executor, say) must not keep the others
                // waiting: it is answered when its wait is over instead
                LOG.log(Level.WARNING, "A waiting fetch could not be woken: {0}", e.toString());
            }
        }
    }

    /**
     * Stops tracking every mailbox that no fetch waits on and that was last used at or before {@code cutoffMillis}
     * (the clock's milliseconds); returns how many it dropped.
     */
    public int forgetIdle(long cutoffMillis) {
        int[] dropped = {0};
        for (Long mailbox : byMailbox.keySet()) {
            byMailbox.computeIfPresent(mailbox, (k, w) -> {
                synchronized (w) {
                    if (w.waiting.isEmpty() && w.lastUsed <= cutoffMillis) {
                        w.forgotten = true;
                        dropped[0]++;
                        return null;
                    }
                    return w;
                }
            });
        }
        return dropped[0];
    }

    /** How many mailboxes are tracked now. */
    int tracked() {
        return byMailbox.size();
    }

    /** Waits registered right now, across all mailboxes. */
    public int waiting() {
        return byMailbox.values().stream().mapToInt(w -> {
            synchronized (w) {
                return w.waiting.size();
            }
        }).sum();
    }
}
