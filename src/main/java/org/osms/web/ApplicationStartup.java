package org.osms.web;

import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import org.osms.audit.AuditLog;
import org.osms.directory.Directory;
import org.osms.directory.DirectorySettings;
import org.osms.persistence.DataDirectory;
import org.osms.persistence.Migrations;
import org.osms.serverkey.ServerKey;
import org.osms.session.SessionSettings;

/**
 * Start-up, in order, before the first request is served: the data directory is made private, the schema is
 * migrated, then the server key is loaded
 * (or generated). A failure stops the application from starting rather than serving from a broken state.
 */
@WebListener
public class ApplicationStartup implements ServletContextListener {
    @Inject
    DataDirectory dataDirectory;

    @Inject
    Migrations migrations;

    @Inject
    ServerKey serverKey;

    @Inject
    Directory directory;

    @Inject
    AuditLog audit;

    @Inject
    SessionSettings sessionSettings;

    @Inject
    DirectorySettings directorySettings;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        dataDirectory.secure();
        migrations.migrate(event.getServletContext());
        serverKey.initialize();
        // Create the application-scoped beans that hold container references (@PersistenceContext, @Resource)
        // here, in the web module's naming context. Created lazily inside a stateful session bean instead, Liberty
        // resolves their references in the bean's own context, where they are not declared, and injection fails.
        directory.find(0);
        audit.page(0, 1);
        sessionSettings.maxLive();
        directorySettings.changesPerDay();
    }
}
