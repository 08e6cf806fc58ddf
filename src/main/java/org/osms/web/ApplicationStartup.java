package org.osms.web;

import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import org.osms.persistence.DataDirectory;
import org.osms.persistence.Migrations;
import org.osms.serverkey.ServerKey;

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

    @Override
    public void contextInitialized(ServletContextEvent event) {
        dataDirectory.secure();
        migrations.migrate(event.getServletContext());
        serverKey.initialize();
    }
}
