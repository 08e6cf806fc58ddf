package org.osms.messaging;

import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;

/**
 * Deletes messages left unacknowledged for longer than the retention (OSMS_MAILBOX_RETENTION_SECONDS), and stops
 * tracking for the long poll the mailboxes nobody has fetched from or sent to lately.
 */
@Singleton
public class RetentionSweeper {
    /**
     * How long an unused mailbox stays tracked by {@link MailboxNotifier}: far longer than a fetch takes from noting
     * the version to waiting, so a wait is not woken early because its mailbox was forgotten in between.
     */
    static final Duration NOTIFIER_IDLE = Duration.ofMinutes(5);

    @Inject
    Mailboxes mailboxes;

    @Inject
    MailboxNotifier notifier;

    @Inject
    MessagingSettings settings;

    @Inject
    Clock clock;

    @Schedule(hour = "*", minute = "*/5", persistent = false)
    void sweep() {
        purgeNow();
    }

    @Schedule(hour = "*", minute = "*/5", second = "30", persistent = false)
    void forgetIdleMailboxes() {
        notifier.forgetIdle(clock.millis() - NOTIFIER_IDLE.toMillis());
    }

    /** The sweep, now (an administrator's request, org.osms.admin); returns how many messages it deleted. */
    public int purgeNow() {
        return mailboxes.expire(clock.millis() - settings.retention().toMillis());
    }
}
