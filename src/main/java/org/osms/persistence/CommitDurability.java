package org.osms.persistence;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Set;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Nothing acknowledged is ever lost: a change is answered {@code ok} only after its transaction commits, so a commit
 * must have reached the database's files when it returns, and a process killed a moment later loses nothing.
 *
 * <ul>
 * <li>Embedded H2: its MVStore otherwise writes committed changes in the background, up to {@code WRITE_DELAY}
 * (500 ms) later. With {@code WRITE_DELAY 0} every commit stores its changes to the file before it returns (H2's
 * {@code TransactionStore.endTransaction}). H2 takes the delay when it opens the database and switching it at run time
 * proved unsafe, so the data source in {@code db-h2.xml}, {@code org.osms.h2.DurableDataSource}, opens the database
 * with it (and lets one writing transaction at a time write); this class only checks the result and stops the
 * start-up otherwise. H2 writes without {@code fsync}: a commit survives the server process being killed, not the
 * machine losing power before the operating system writes back.
 * <li>PostgreSQL: {@code synchronous_commit} must be on (or stronger) for the application's sessions, and
 * {@code fsync} on; {@code db-postgresql.xml} sets the former on every connection, and the server refuses to start
 * otherwise.
 * </ul>
 * The clean close on stop is H2's own {@code DB_CLOSE_ON_EXIT} shutdown hook (the default, see {@code db-h2.xml}).
 */
@ApplicationScoped
public class CommitDurability {
    private static final Logger LOG = Logger.getLogger(CommitDurability.class.getName());
    /** The values of synchronous_commit that wait for the local WAL flush before a commit returns. */
    private static final Set<String> DURABLE_SYNCHRONOUS_COMMIT = Set.of("on", "local", "remote_write",
            "remote_apply");

    @Resource(lookup = "jdbc/osmsOwner")
    DataSource ownerDataSource;

    @Resource(lookup = "jdbc/osms")
    DataSource appDataSource;

    /** Makes commits durable, or stops the start-up with the reason. */
    public void enforce() {
        try {
            if (isH2(ownerDataSource)) {
                enforceOnH2();
            } else {
                checkPostgres();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot make commits durable: " + e.getMessage(), e);
        }
    }

    private void enforceOnH2() throws SQLException {
        try (Connection c = ownerDataSource.getConnection(); Statement s = c.createStatement()) {
            String delay = single(s, "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS"
                    + " WHERE SETTING_NAME = 'WRITE_DELAY'");
            if (!"0".equals(delay)) {
                throw new IllegalStateException("The embedded database runs with WRITE_DELAY " + delay
                        + ": commits would be acknowledged before they reach the file. Its data source must be"
                        + " org.osms.h2.DurableDataSource (db-h2.xml), with osms-h2.jar in the JDBC library.");
            }
        }
        LOG.info("Embedded database: every commit is written to the file before it is acknowledged"
                + " (WRITE_DELAY 0).");
    }

    private void checkPostgres() throws SQLException {
        try (Connection c = appDataSource.getConnection(); Statement s = c.createStatement()) {
            String synchronousCommit = single(s, "SHOW synchronous_commit").toLowerCase(Locale.ROOT);
            String fsync = single(s, "SHOW fsync").toLowerCase(Locale.ROOT);
            if (!DURABLE_SYNCHRONOUS_COMMIT.contains(synchronousCommit)) {
                throw new IllegalStateException("PostgreSQL answers synchronous_commit = " + synchronousCommit
                        + " for the application's account: commits would be acknowledged before they are durable."
                        + " Set it to on (db-postgresql.xml does, on every connection).");
            }
            if (!"on".equals(fsync)) {
                throw new IllegalStateException("PostgreSQL runs with fsync = " + fsync
                        + ": a crash of its machine could lose acknowledged changes. Turn fsync on.");
            }
            LOG.info("PostgreSQL: synchronous_commit = " + synchronousCommit + ", fsync = on.");
        }
    }

    private static boolean isH2(DataSource dataSource) throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            return c.getMetaData().getDatabaseProductName().toLowerCase(Locale.ROOT).contains("h2");
        }
    }

    private static String single(Statement s, String sql) throws SQLException {
        try (ResultSet r = s.executeQuery(sql)) {
            if (!r.next()) {
                throw new SQLException("No answer to: " + sql);
            }
            return r.getString(1);
        }
    }
}
