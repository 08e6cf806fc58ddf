package org.osms.persistence;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.servlet.ServletContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.output.MigrateResult;
import org.flywaydb.core.api.resource.LoadableResource;

/**
 * Applies the versioned SQL migrations of {@code db/migration} (shipped as {@code WEB-INF/classes/db/migration}) as
 * the database owner. The owner account is used for nothing else; the application runs as {@code osms.db.user},
 * which the migrations grant only what it needs.
 */
@ApplicationScoped
public class Migrations {
    private static final Logger LOG = Logger.getLogger(Migrations.class.getName());
    static final String LOCATION = "/WEB-INF/classes/db/migration/";

    @Resource(lookup = "jdbc/osmsOwner")
    DataSource ownerDataSource;

    // jndiEntry values that look like numbers arrive as numbers: take any value as its text.
    @Resource(lookup = "osms/db/appUser")
    Object appUser;

    @Resource(lookup = "osms/db/appPassword")
    Object appPassword;

    @Inject
    CommitDurability durability;

    /**
     * Brings the schema up to date and makes commits durable before anything is served; returns the number of
     * migrations applied now.
     */
    public int migrate(ServletContext servletContext) {
        String vendor = prepareApplicationAccount();
        Flyway flyway = Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(ownerDataSource)
                .resourceProvider(new ServletContextResources(servletContext))
                .javaMigrationClassProvider(List::of)
                // Flyway scans classpath:db/callback for callbacks whatever is configured; on Liberty its scanner
                // finds a location only by its marker file, db/callback/flyway.location, and otherwise logs an ERROR
                // at every start. OSMS has no callbacks: the directory holds only the marker.
                .callbackLocations("classpath:db/callback")
                .placeholders(Map.of("appUser", String.valueOf(appUser)))
                .cleanDisabled(true)
                .validateMigrationNaming(true)
                .load();
        MigrateResult result = flyway.migrate();
        durability.enforce();
        // the version from the migration's own result: flyway.info() would read the schema history once more
        String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
        LOG.info(() -> "Database schema (" + vendor + ") is at version " + version
                + "; " + result.migrationsExecuted + " migration(s) applied now.");
        return result.migrationsExecuted;
    }

    /**
     * On the embedded database the owner creates the application account itself (on PostgreSQL the operator creates
     * both roles, see README). Returns the database product name.
     */
    private String prepareApplicationAccount() {
        String user = String.valueOf(appUser);
        if (!user.matches("[A-Za-z][A-Za-z0-9_]{0,62}")) {
            throw new IllegalStateException("osms.db.user must be a plain SQL identifier");
        }
        try (Connection c = ownerDataSource.getConnection(); Statement s = c.createStatement()) {
            String product = c.getMetaData().getDatabaseProductName();
            if (product.toLowerCase(Locale.ROOT).contains("h2")) {
                String password = appPassword == null ? "" : String.valueOf(appPassword).replace("'", "''");
                s.execute("CREATE USER IF NOT EXISTS " + user + " PASSWORD '" + password + "'");
                s.execute("ALTER USER " + user + " SET PASSWORD '" + password + "'");
            }
            return product;
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot prepare the database as its owner: " + e.getMessage(), e);
        }
    }

    /**
     * Lists migrations through the Servlet API, which works for packed and expanded WARs alike, instead of Flyway's
     * class-path scanning, which depends on the container's URL schemes.
     */
    static final class ServletContextResources implements ResourceProvider {
        private final ServletContext context;

        ServletContextResources(ServletContext context) {
            this.context = context;
        }

        @Override
        public LoadableResource getResource(String name) {
            String path = LOCATION + name;
            return getResourceOrNull(context, path) == null ? null : new Migration(context, path);
        }

        @Override
        public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
            Set<String> paths = context.getResourcePaths(LOCATION);
            List<LoadableResource> found = new ArrayList<>();
            if (paths == null) {
                return found;
            }
            for (String path : paths) {
                String name = path.substring(path.lastIndexOf('/') + 1);
                if (name.startsWith(prefix) && Arrays.stream(suffixes).anyMatch(name::endsWith)) {
                    found.add(new Migration(context, path));
                }
            }
            return found;
        }

        private static java.net.URL getResourceOrNull(ServletContext c, String path) {
            try {
                return c.getResource(path);
            } catch (java.net.MalformedURLException e) {
                return null;
            }
        }
    }

    private static final class Migration extends LoadableResource {
        private final ServletContext context;
        private final String path;

        Migration(ServletContext context, String path) {
            this.context = context;
            this.path = path;
        }

        @Override
        public Reader read() {
            try (InputStream in = context.getResourceAsStream(path)) {
                if (in == null) {
                    throw new IllegalStateException("Migration disappeared: " + path);
                }
                return new StringReader(new String(in.readAllBytes(), StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new IllegalStateException("Cannot read migration " + path, e);
            }
        }

        @Override
        public String getAbsolutePath() {
            return path;
        }

        @Override
        public String getAbsolutePathOnDisk() {
            return path;
        }

        @Override
        public String getFilename() {
            return path.substring(path.lastIndexOf('/') + 1);
        }

        @Override
        public String getRelativePath() {
            return getFilename();
        }
    }
}
