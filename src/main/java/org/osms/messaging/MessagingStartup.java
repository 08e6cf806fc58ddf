package org.osms.messaging;

import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;

/**
 * Creates the mailbox beans that hold container references (@PersistenceContext, @Resource) at start-up, in the web
 * module's naming context. Created lazily inside the stateful Conversation bean instead, Liberty resolves their
 * references in that bean's own context, where they are not declared, and injection fails.
 */
@WebListener
public class MessagingStartup implements ServletContextListener {
    @Inject
    Mailboxes mailboxes;

    @Inject
    MailboxExpiry expiry;

    @Inject
    MailboxExport export;

    @Inject
    MailboxNotifier notifier;

    @Inject
    MessagingSettings settings;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        settings.limits();
        notifier.waiting();
        mailboxes.warm();
        expiry.warm();
        export.warm();
    }
}
