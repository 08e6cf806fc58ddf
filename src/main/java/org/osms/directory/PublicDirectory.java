package org.osms.directory;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.osms.protocol.Fingerprint;
import org.osms.protocol.Username;

/**
 * The public lookup's read: who holds a name now, and what {@code GET /user} shows of it. A CDI bean, not an
 * enterprise bean like {@link Directory}: a read needs neither a transaction nor the container's refusal handling.
 *
 * <p>One statement through the data source, outside any transaction (its connection in auto-commit), rather than a
 * JPA query: the same row, without an entity manager made and closed per call, a unit of work and an entity built from
 * the row (docs/performance.md, "Lookups", for what that saved). The connection is unshareable: closing it returns it
 * to the pool at once, instead of leaving it with the request's local transaction until the answer is written.
 * Nothing is kept across requests (no cache), so each lookup reads the database and sees every committed change at
 * once, whichever instance sharing the database made it. The columns are those {@link Identity} maps; every value
 * read is validated again ({@link Username#of}, {@link Fingerprint#of}, the status names), as the entity's accessors
 * do.
 *
 * <p>For the web tier only: Liberty resolves this bean's resource reference in the namespace of whichever component
 * first uses it, and the web tier's {@link UserResource} is its only user; the conversation bean reads through
 * {@link Directory#lookUp} instead.
 */
@ApplicationScoped
public class PublicDirectory {
    static final String BY_USERNAME = "SELECT id, username, status, status_before_suspension, public_key, fingerprint"
            + " FROM identity WHERE username = ?";

    @Resource(lookup = "jdbc/osms", shareable = false)
    DataSource database;

    /** The identity that holds this name now, whatever its status. */
    public Optional<DirectoryEntry> lookUp(Username username) {
        try (Connection connection = database.getConnection();
             PreparedStatement query = connection.prepareStatement(BY_USERNAME)) {
            query.setString(1, username.value());
            try (ResultSet row = query.executeQuery()) {
                if (!row.next()) {
                    return Optional.empty();
                }
                String before = row.getString(4);
                String fingerprint = row.getString(6);
                return Optional.of(new DirectoryEntry(row.getLong(1), Username.of(row.getString(2)),
                        IdentityStatus.valueOf(row.getString(3)), before == null ? null : IdentityStatus.valueOf(before),
                        row.getBytes(5), fingerprint == null ? null : Fingerprint.of(fingerprint)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("The directory could not be read.", e);
        }
    }
}
