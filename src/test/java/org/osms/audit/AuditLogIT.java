package org.osms.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;
import java.net.URL;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osms.directory.Directory;
import org.osms.directory.Identity;
import org.osms.it.AuditPages;
import org.osms.it.Deployments;
import org.osms.protocol.AuditChain;
import org.osms.protocol.AuditRecord;

/** The audit log inside the container: append-only by the database's own rules, and never forked. */
@ExtendWith(ArquillianExtension.class)
class AuditLogIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.osmsWith("osms-it-audit", AuditLogIT.class);
    }

    @Inject
    Directory directory;

    @Inject
    AuditLog audit;

    /** The application's own account, exactly as JPA uses it. */
    @Resource(lookup = "jdbc/osms")
    DataSource applicationDataSource;

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    ManagedExecutorService executor;

    @ArquillianResource
    URL deploymentUrl;

    @Test
    void theDatabaseRefusesUpdateAndDeleteOfAuditEntriesToTheApplication() throws SQLException {
        Identity id = directory.register(Deployments.freshUsername("ao"), Deployments.freshKey());
        AuditRecord before = audit.ofIdentity(id.id(), 0, 10).entries().get(0);

        try (Connection c = applicationDataSource.getConnection(); Statement s = c.createStatement()) {
            assertThrows(SQLException.class,
                    () -> s.executeUpdate("UPDATE audit_entry SET event = 'forged' WHERE seq = " + before.seq()));
            assertThrows(SQLException.class,
                    () -> s.executeUpdate("DELETE FROM audit_entry WHERE seq = " + before.seq()));
            assertThrows(SQLException.class, () -> s.executeUpdate("DELETE FROM audit_entry"));
            // The permanent claims are append-only as well: freeing a used name would allow impersonation.
            assertThrows(SQLException.class, () -> s.executeUpdate("DELETE FROM username_claim"));
            assertThrows(SQLException.class,
                    () -> s.executeUpdate("UPDATE username_claim SET identity_id = 1"));
        }
        assertEquals(before, audit.ofIdentity(id.id(), 0, 10).entries().get(0), "the entry is unchanged");
    }

    @Test
    void theSchemaRefusesToGiveAUsedNameToAnotherIdentity() throws SQLException {
        Identity alice = directory.register(Deployments.freshUsername("own"), Deployments.freshKey());
        Identity mallory = directory.register(Deployments.freshUsername("mal"), Deployments.freshKey());
        try (Connection c = applicationDataSource.getConnection();
             PreparedStatement p = c.prepareStatement("UPDATE identity SET username = ? WHERE id = ?")) {
            p.setString(1, alice.username().value());
            p.setLong(2, mallory.id());
            assertThrows(SQLException.class, p::executeUpdate);
        }
        try (Connection c = applicationDataSource.getConnection();
             PreparedStatement p = c.prepareStatement("SELECT username FROM identity WHERE id = ?")) {
            p.setLong(1, mallory.id());
            try (ResultSet r = p.executeQuery()) {
                r.next();
                assertEquals(mallory.username().value(), r.getString(1));
            }
        }
    }

    @Test
    void concurrentChangesNeverForkTheChain() throws Exception {
        int writers = 8;
        int renamesEach = 5;
        long headBefore = audit.page(0, 1).headSeq();
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            done.add(executor.submit(() -> {
                Identity id = directory.register(Deployments.freshUsername("cc"), Deployments.freshKey());
                for (int i = 0; i < renamesEach; i++) {
                    directory.rename(id.id(), Deployments.freshUsername("cc"));
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get(120, TimeUnit.SECONDS);
        }

        AuditChain chain = AuditPages.verifyWholeLog(Deployments.application(deploymentUrl), 50);
        assertEquals(chain.lastSeq(), audit.page(0, 1).headSeq(), "the chain reaches the published head");
        assertEquals(true, chain.lastSeq() >= headBefore + writers * (1 + renamesEach),
                "every change was appended");
        List<AuditRecord> tail = audit.page(chain.lastSeq() - 1, 1).entries();
        assertArrayEquals(chain.lastHash(), tail.get(0).hash());
    }
}
