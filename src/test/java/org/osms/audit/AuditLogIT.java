package org.osms.audit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.osms.directory.DirectoryException;
import org.osms.directory.Identity;
import org.osms.it.AuditPages;
import org.osms.it.Deployments;
import org.osms.it.PoolContents;
import org.osms.persistence.CommitPoint;
import org.osms.protocol.AuditChain;
import org.osms.protocol.AuditPage;
import org.osms.protocol.AuditRecord;
import org.osms.protocol.Username;
import org.osms.web.PageRequest;

/** The audit log inside the container: append-only by the database's own rules, and never forked. */
@ExtendWith(ArquillianExtension.class)
class AuditLogIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.osmsWith("osms-it-audit", AuditLogIT.class, PoolContents.class);
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

    /**
     * A public read of the log ({@code GET /audit}, {@code GET /user/{name}/history}) gives its connection back to the
     * pool when the page is read, not when the request ends: outside a transaction a connection is held until the
     * request's local transaction ends, after the answer is written, so a client that never read its answers (a page
     * is up to 512 KB) held one connection of the shared pool per request, and some fifty of them would hold all.
     * Called here outside any transaction, as the endpoints call it.
     */
    @Test
    void aPageOfTheLogGivesItsConnectionBackOnceItIsRead() throws Exception {
        Identity someone = directory.register(Deployments.freshUsername("pg"), Deployments.freshKey(),
                new CommitPoint());
        // the pool is shared with the server's own work (the retention sweep, say), which may take or give back a
        // connection between the two listings: a page that keeps one keeps it in every try
        java.util.Set<String> before = java.util.Set.of();
        java.util.Set<String> after = null;
        for (int attempt = 0; attempt < 3 && !before.equals(after); attempt++) {
            before = PoolContents.inUse();
            assertFalse(audit.page(0, 1000).entries().isEmpty());
            assertFalse(audit.ofIdentity(someone.id(), 0, 1000).entries().isEmpty());
            after = PoolContents.inUse();
        }
        assertEquals(before, after, "no connection is still in use for the pages read");
    }

    @Test
    void theDatabaseRefusesUpdateAndDeleteOfAuditEntriesToTheApplication() throws SQLException {
        Identity id = directory.register(Deployments.freshUsername("ao"), Deployments.freshKey(), new CommitPoint());
        AuditRecord before = audit.ofIdentity(id.id(), 0, 10).entries().get(0);

        try (Connection c = applicationDataSource.getConnection(); Statement s = c.createStatement()) {
            String denied = permissionDenied(c);
            assertDenied(denied, s, "UPDATE audit_entry SET event = 'forged' WHERE seq = " + before.seq());
            assertDenied(denied, s, "DELETE FROM audit_entry WHERE seq = " + before.seq());
            assertDenied(denied, s, "DELETE FROM audit_entry");
        }
        assertEquals(before, audit.ofIdentity(id.id(), 0, 10).entries().get(0), "the entry is unchanged");
    }

    /**
     * A name given up by a rename is still claimed, and no foreign key protects that claim any more: only the
     * application account's missing privileges keep it from being deleted or handed over.
     */
    @Test
    void theDatabaseRefusesToFreeOrMoveARetiredNameClaim() throws SQLException {
        Username retired = Deployments.freshUsername("ret");
        Identity alice = directory.register(retired, Deployments.freshKey(), new CommitPoint());
        directory.rename(alice.id(), Deployments.freshUsername("ren"));
        Identity mallory =
                directory.register(Deployments.freshUsername("mal"), Deployments.freshKey(), new CommitPoint());

        try (Connection c = applicationDataSource.getConnection(); Statement s = c.createStatement()) {
            String denied = permissionDenied(c);
            assertDenied(denied, s, "DELETE FROM username_claim WHERE username = '" + retired.value() + "'");
            assertDenied(denied, s, "UPDATE username_claim SET identity_id = " + mallory.id()
                    + " WHERE username = '" + retired.value() + "'");
            assertDenied(denied, s, "DELETE FROM username_claim");
        }
        assertEquals(alice.id(), claimant(retired), "the retired name is still alice's");
    }

    @Test
    void theSchemaRefusesToGiveARetiredNameToAnotherIdentity() throws SQLException {
        Username retired = Deployments.freshUsername("own");
        Identity alice = directory.register(retired, Deployments.freshKey(), new CommitPoint());
        directory.rename(alice.id(), Deployments.freshUsername("own"));
        Identity mallory =
                directory.register(Deployments.freshUsername("mal"), Deployments.freshKey(), new CommitPoint());
        long head = audit.page(0, 1).headSeq();

        // Through the application: the name is taken for good.
        assertThrows(DirectoryException.UsernameTaken.class, () -> directory.rename(mallory.id(), retired));
        // Around it, with the application's own account: no claim for mallory can exist, so none can be used.
        try (Connection c = applicationDataSource.getConnection()) {
            try (PreparedStatement p = c.prepareStatement("UPDATE identity SET username = ? WHERE id = ?")) {
                p.setString(1, retired.value());
                p.setLong(2, mallory.id());
                assertIntegrityViolation(assertThrows(SQLException.class, p::executeUpdate));
            }
            try (PreparedStatement p = c.prepareStatement(
                    "INSERT INTO username_claim (username, identity_id, claimed_at) VALUES (?, ?, 0)")) {
                p.setString(1, retired.value());
                p.setLong(2, mallory.id());
                assertIntegrityViolation(assertThrows(SQLException.class, p::executeUpdate));
            }
        }
        assertEquals(mallory.username(), directory.find(mallory.id()).orElseThrow().username());
        assertEquals(alice.id(), claimant(retired));
        assertEquals(head, audit.page(0, 1).headSeq(), "nothing was logged");
    }

    /** The SQL state for "permission denied": PostgreSQL's standard one, or H2's own. */
    private static String permissionDenied(Connection c) throws SQLException {
        String product = c.getMetaData().getDatabaseProductName();
        return switch (product) {
            case "PostgreSQL" -> "42501";
            case "H2" -> "90096"; // org.h2.api.ErrorCode.NOT_ENOUGH_RIGHTS_FOR_1
            default -> throw new AssertionError("no permission-denied SQL state known for " + product);
        };
    }

    private static void assertDenied(String sqlState, Statement s, String sql) {
        SQLException e = assertThrows(SQLException.class, () -> s.executeUpdate(sql), sql);
        assertEquals(sqlState, e.getSQLState(), sql + ": " + e.getMessage());
    }

    /** Class 23, integrity constraint violation (a foreign or unique key), not a missing privilege. */
    private static void assertIntegrityViolation(SQLException e) {
        assertEquals("23", e.getSQLState().substring(0, 2), e.getSQLState() + " " + e.getMessage());
    }

    private long claimant(Username name) throws SQLException {
        try (Connection c = applicationDataSource.getConnection();
             PreparedStatement p = c.prepareStatement("SELECT identity_id FROM username_claim WHERE username = ?")) {
            p.setString(1, name.value());
            try (ResultSet r = p.executeQuery()) {
                assertEquals(true, r.next(), "the claim of " + name.value() + " exists");
                return r.getLong(1);
            }
        }
    }

    /**
     * A page ends before its entries pass its byte budget (here a small one, so that the test log's own entries fill
     * many pages), holds at least one entry, and the pages together hold the whole log once, in order; nextAfter is
     * present exactly when an entry that did not fit follows.
     */
    @Test
    void pagesStopAtTheirByteBudgetAndTogetherHoldTheWholeLogOnce() {
        int budget = 4096;
        for (int i = 0; i < 16; i++) { // entries of about 400 bytes: more than one page even on a fresh database
            directory.register(Deployments.freshUsername("page"), Deployments.freshKey(), new CommitPoint());
        }
        long head = audit.page(0, 1).headSeq();
        long expected = 1;
        long after = 0;
        int pages = 0;
        while (true) {
            AuditPage page = audit.page(after, PageRequest.MAX_LIMIT, budget);
            List<AuditRecord> entries = page.entries();
            pages++;
            long size = entries.stream().mapToLong(AuditLog.Page::encodedLength).sum();
            assertTrue(entries.size() == 1 || size <= budget, "page " + pages + " holds " + size + " bytes");
            for (AuditRecord r : entries) {
                assertEquals(expected++, r.seq(), "every entry once, in order");
            }
            if (page.nextAfter() == null) {
                break;
            }
            assertEquals(entries.get(entries.size() - 1).seq(), page.nextAfter());
            AuditRecord next = audit.page(page.nextAfter(), 1).entries().get(0);
            assertTrue(size + AuditLog.Page.encodedLength(next) > budget, "the next entry did not fit");
            after = page.nextAfter();
        }
        assertTrue(expected - 1 >= head, "the pages reached the head of " + head + ": " + (expected - 1));
        assertTrue(pages > 1, "the budget split the log: " + pages + " page(s)");
    }

    /**
     * Registrations racing for one name: exactly one gets it, every other is refused with username_taken (some of
     * them by the database's unique constraint, whose error would name the value: PostgreSQL's driver is told to leave
     * the detail out, and the embedded database's statements leave the values out), and the chain stays whole.
     * ServerLogsIT then finds the name in no server log: a refusal's database error is not logged with it.
     */
    @Test
    void registrationsRacingForOneNameLeaveOneWinnerAndNoLogOfTheName() throws Exception {
        Username name = Deployments.freshUsername("race");
        List<Future<String>> racing = new ArrayList<>();
        java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
        for (int i = 0; i < 8; i++) {
            racing.add(executor.submit(() -> {
                go.await();
                try {
                    directory.register(name, Deployments.freshKey(), new CommitPoint());
                    return "ok";
                } catch (DirectoryException.UsernameTaken taken) {
                    return taken.code();
                }
            }));
        }
        go.countDown();
        List<String> outcomes = new ArrayList<>();
        for (Future<String> f : racing) {
            outcomes.add(f.get(120, TimeUnit.SECONDS));
        }
        assertEquals(1, outcomes.stream().filter("ok"::equals).count(), outcomes.toString());
        assertEquals(7, outcomes.stream().filter("username_taken"::equals).count(), outcomes.toString());
        AuditChain chain = AuditPages.verifyWholeLog(Deployments.application(deploymentUrl), 1000);
        assertEquals(chain.lastSeq(), audit.page(0, 1).headSeq());
    }

    @Test
    void concurrentChangesNeverForkTheChain() throws Exception {
        int writers = 8;
        int renamesEach = 5;
        long headBefore = audit.page(0, 1).headSeq();
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < writers; w++) {
            done.add(executor.submit(() -> {
                Identity id =
                        directory.register(Deployments.freshUsername("cc"), Deployments.freshKey(), new CommitPoint());
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
