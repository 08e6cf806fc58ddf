package org.osms.messaging;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Status;
import jakarta.transaction.Synchronization;
import jakarta.transaction.TransactionSynchronizationRegistry;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.osms.session.Wakeup;

/**
 * Wakes the fetches waiting on a mailbox when a message for it is committed (the long poll). Each mailbox has a
 * version that grows with every committed arrival: a fetch notes the version before it looks, and a wait registered
 * after a newer arrival fires at once, so no message slips between looking and waiting.
 */
@ApplicationScoped
public class MailboxNotifier {
    @Resource(lookup = "java:comp/TransactionSynchronizationRegistry")
    TransactionSynchronizationRegistry transactions;

    private final Map<Long, Waiters> byMailbox = new ConcurrentHashMap<>();

    private static final class Waiters {
        private long version;
        private final Set<Runnable> waiting = new LinkedHashSet<>();
    }

    private Waiters of(long mailbox) {
        return byMailbox.computeIfAbsent(mailbox, k -> new Waiters());
    }

    /** The mailbox's version now: read it before looking for messages, hand it to {@link #wakeupFor}. */
    public long version(long mailbox) {
        Waiters w = of(mailbox);
        synchronized (w) {
            return w.version;
        }
    }

    /** Fires once a message arrives in the mailbox after version {@code seen}. */
    public Wakeup wakeupFor(long mailbox, long seen) {
        return wake -> {
            Waiters w = of(mailbox);
            synchronized (w) {
                if (w.version == seen) {
                    w.waiting.add(wake);
                    return () -> {
                        synchronized (w) {
                            w.waiting.remove(wake);
                        }
                    };
                }
            }
            wake.run();
            return () -> { };
        };
    }

    /** A message for the mailbox is stored in the current transaction: wake its waiters if, and once, it commits. */
    void arrivesOnCommit(long mailbox) {
        transactions.registerInterposedSynchronization(new Synchronization() {
            @Override
            public void beforeCompletion() {
                // only a committed message may wake anyone
            }

            @Override
            public void afterCompletion(int status) {
                if (status == Status.STATUS_COMMITTED) {
                    arrived(mailbox);
                }
            }
        });
    }

    private void arrived(long mailbox) {
        Waiters w = of(mailbox);
        List<Runnable> wake;
        synchronized (w) {
            w.version++;
            wake = new ArrayList<>(w.waiting);
            w.waiting.clear();
        }
        wake.forEach(Runnable::run);
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
