package org.osms.directory;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.EntityManager;
import jakarta.persistence.PersistenceContext;
import java.util.Optional;
import org.osms.protocol.Username;

/**
 * The public lookup's read: who holds a name now. A CDI bean, not an enterprise bean like {@link Directory}: a read
 * needs neither a transaction nor the container's refusal handling, and the enterprise bean's interceptors around each
 * call were a measurable part of every lookup.
 *
 * <p>Called outside any transaction, the persistence context lives for the one query (a new one for each call) and
 * the query is read-only ({@link Identity#READ_BY_USERNAME}): nothing is kept across requests (no shared cache), so
 * each lookup reads the database and sees every committed change at once, whichever instance sharing the database made
 * it. The result must not be changed; commands find identities through {@link Directory}.
 *
 * <p>For the web tier only: Liberty resolves this bean's persistence reference in the namespace of whichever component
 * first uses it, and refuses it in a stateful session bean's (CNTR0315E, leaving it without a persistence context for
 * good), so the conversation bean reads through {@link Directory#lookUp} instead.
 */
@ApplicationScoped
public class PublicDirectory {
    @PersistenceContext(unitName = "osms")
    EntityManager em;

    /** The identity that holds this name now, whatever its status. */
    public Optional<Identity> lookUp(Username username) {
        return Directory.holderOf(em, username);
    }
}
