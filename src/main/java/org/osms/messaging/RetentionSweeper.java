package org.osms.messaging;

import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.inject.Inject;
import java.time.Clock;

/** Deletes messages left unacknowledged for longer than the retention (OSMS_MAILBOX_RETENTION_SECONDS). */
@Singleton
public class RetentionSweeper {
    @Inject
    Mailboxes mailboxes;

    @Inject
    MessagingSettings settings;

    @Inject
    Clock clock;

    @Schedule(hour = "*", minute = "*/5", persistent = false)
    void sweep() {
        purgeNow();
    }

    /** The sweep, now (an administrator's request, org.osms.admin); returns how many messages it deleted. */
    public int purgeNow() {
        return mailboxes.expire(clock.millis() - settings.retention().toMillis());
    }
}
