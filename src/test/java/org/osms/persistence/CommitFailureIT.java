package org.osms.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.client.OsmsException;
import org.osms.it.Deployments;
import org.osms.it.Http;
import org.osms.it.PostgresTestDatabase;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/**
 * A command whose commit fails after its work is over (docs/protocol.md, "Commands": {@code busy} and {@code
 * unknown_outcome}), against the PostgreSQL test server. The faults are injected with the database's own means, from
 * the test's side: deferred constraint triggers, which PostgreSQL runs inside COMMIT, on the username claims that a
 * registration or a rename inserts, for names with a given prefix only.
 *
 * <ul>
 * <li>{@code slowcommit…}: the trigger sleeps, and the test ends the backend running it. The server cannot know
 * whether the commit happened, so it must not answer {@code busy} ("nothing was done; send it again", on which a
 * client would store a {@code send} twice).</li>
 * <li>{@code rollbackcommit…}: the trigger raises a serialization failure (SQLState 40001): the database says it
 * rolled the transaction back, so {@code busy} is the truth.</li>
 * </ul>
 *
 * <p>And one refusal before the commit: a lock on another transaction's claim of the same name, waited for too long.
 *
 * <p>The embedded database has no connection to lose: the H2 run leaves this test out. Liberty logs the faults as the
 * errors they are, so the test runs on its own after the PostgreSQL suite and its CleanLogsIT
 * ({@code it-pg-commit-failure} in pom.xml), on the same server.
 */
class CommitFailureIT {
    private static final String SLEEPER = "osms_it_slow_commit";
    private static final String ROLLER = "osms_it_rolled_back_commit";

    private String database;
    private Connection admin;
    private final OsmsClient client = new OsmsClient(URI.create(Http.fromSystemProperty().base()));

    @BeforeEach
    void triggers() throws SQLException {
        database = System.getProperty("osms.it.pg.database");
        if (database == null) {
            throw new IllegalStateException("osms.it.pg.database is not set: this test runs against the PostgreSQL"
                    + " test server (failsafe execution it-pg) only");
        }
        admin = PostgresTestDatabase.connectAsAdministrator(database);
        try (Statement s = admin.createStatement()) {
            s.execute("CREATE FUNCTION " + SLEEPER + "() RETURNS trigger LANGUAGE plpgsql AS "
                    + "$$ BEGIN PERFORM pg_sleep(60); RETURN NULL; END $$");
            s.execute("CREATE CONSTRAINT TRIGGER " + SLEEPER + " AFTER INSERT ON username_claim"
                    + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.username LIKE 'slowcommit%')"
                    + " EXECUTE FUNCTION " + SLEEPER + "()");
            s.execute("CREATE FUNCTION " + ROLLER + "() RETURNS trigger LANGUAGE plpgsql AS "
                    + "$$ BEGIN RAISE EXCEPTION 'test' USING ERRCODE = 'serialization_failure'; END $$");
            s.execute("CREATE CONSTRAINT TRIGGER " + ROLLER + " AFTER INSERT ON username_claim"
                    + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.username LIKE 'rollbackcommit%')"
                    + " EXECUTE FUNCTION " + ROLLER + "()");
        }
    }

    @AfterEach
    void dropTriggers() throws SQLException {
        Connection c = admin;
        admin = null;
        if (c == null) {
            return;
        }
        try (c; Statement s = c.createStatement()) {
            for (String name : new String[] {SLEEPER, ROLLER}) {
                s.execute("DROP TRIGGER IF EXISTS " + name + " ON username_claim");
                s.execute("DROP FUNCTION IF EXISTS " + name + "()");
            }
        }
    }

    private static JsonObject cmd(String name) {
        return Json.createObjectBuilder().add("command", name).build();
    }

    private static JsonObject rename(Username to) {
        return Json.createObjectBuilder().add("command", "rename").add("username", to.value()).build();
    }

    @Test
    void aRenameWhoseCommitLosesItsConnectionIsAnsweredUnknownOutcomeAndTheConversationGoesOn() throws Exception {
        Username name = Deployments.freshUsername("commit");
        OsmsClient.Session session = client.register(name, KeyStoreFiles.generate(), client.serverKey());
        Username slow = Deployments.freshUsername("slowcommit");

        CompletableFuture<JsonObject> answer = CompletableFuture.supplyAsync(() -> session.sendCommand(rename(slow)));
        endTheCommittingBackend(answer);
        JsonObject reply = answer.get(60, TimeUnit.SECONDS);
        assertFalse(reply.getBoolean("ok"), reply.toString());
        assertEquals("unknown_outcome", reply.getString("error"), reply.toString());

        // The commit never finished (its backend ended inside it), so the name is the old one; the conversation goes
        // on with the next seq, and the same rename, asked again without the fault, is done.
        assertEquals(name.value(), session.command(cmd("whoami")).getString("username"));
        dropTriggers();
        assertEquals(slow.value(), session.command(rename(slow)).getString("username"));
        assertEquals(slow.value(), session.command(cmd("whoami")).getString("username"));
        session.logout();
    }

    /** The same for {@code register}: the server cannot say whether the name is now the key's. */
    @Test
    void aRegistrationWhoseCommitLosesItsConnectionIsAnsweredUnknownOutcome() throws Exception {
        Username slow = Deployments.freshUsername("slowcommit");
        KeyPair key = KeyStoreFiles.generate();
        OtrPublicKey serverKey = client.serverKey();
        CompletableFuture<OsmsClient.Session> registered =
                CompletableFuture.supplyAsync(() -> client.register(slow, key, serverKey));
        endTheCommittingBackend(registered);
        ExecutionException failed = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> registered.get(60, TimeUnit.SECONDS));
        OsmsException refused = (OsmsException) failed.getCause();
        assertEquals("unknown_outcome", refused.code(), refused.getMessage());
        assertEquals(404, Http.fromSystemProperty().get("/user/" + slow.value()).status(),
                "the commit never finished: nobody holds the name");
    }

    /** A commit the database refuses and rolls back (40001) did nothing: busy, and the conversation goes on. */
    @Test
    void aCommitTheDatabaseRollsBackIsAnsweredBusy() {
        Username name = Deployments.freshUsername("commit");
        OsmsClient.Session session = client.register(name, KeyStoreFiles.generate(), client.serverKey());
        Username refused = Deployments.freshUsername("rollbackcommit");
        JsonObject reply = session.sendCommand(rename(refused));
        assertFalse(reply.getBoolean("ok"), reply.toString());
        assertEquals("busy", reply.getString("error"), reply.toString());
        assertEquals(name.value(), session.command(cmd("whoami")).getString("username"), "nothing was done");
        assertEquals(404, Http.fromSystemProperty().get("/user/" + refused.value()).status());
        session.logout();
    }

    /**
     * A rename that waits for another transaction's uncommitted claim of the same name until the lock timeout (20 s,
     * db-postgresql.xml) was refused by the database before its work was over: {@code busy}, not {@code
     * username_taken}, since the other transaction may still roll back, and then the name is free.
     */
    @Test
    void aRenameThatWaitsTooLongForAnotherTransactionsClaimOfTheNameIsBusyNotTaken() throws SQLException {
        Username name = Deployments.freshUsername("commit");
        OsmsClient.Session session = client.register(name, KeyStoreFiles.generate(), client.serverKey());
        Username contested = Deployments.freshUsername("contested");
        admin.setAutoCommit(false);
        try (PreparedStatement claim = admin.prepareStatement(
                "INSERT INTO username_claim (username, identity_id, claimed_at) VALUES (?, 1, 0)")) {
            claim.setString(1, contested.value());
            claim.executeUpdate(); // not committed: the name's entry in the primary key stays locked
            long started = System.nanoTime();
            JsonObject reply = session.sendCommand(rename(contested));
            long waited = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            assertFalse(reply.getBoolean("ok"), reply.toString());
            assertEquals("busy", reply.getString("error"), reply.toString());
            assertTrue(waited >= 15, "the rename waited for the lock (" + waited + " s)");
            assertEquals(name.value(), session.command(cmd("whoami")).getString("username"), "nothing was done");
        } finally {
            admin.rollback();
            admin.setAutoCommit(true);
        }
        assertEquals(contested.value(), session.command(rename(contested)).getString("username"),
                "the other transaction rolled back: the name was free after all");
        session.logout();
    }

    /**
     * A public read that finds the database busy, its table locked by another transaction for longer than the
     * application's lock_timeout (20 s, SQLState 55P03), is answered 503 busy with Retry-After (docs/protocol.md,
     * "Errors"): a read changes nothing. It was a 500 with a stack trace in the log.
     */
    @Test
    void aPublicReadThatWaitsTooLongForALockIsBusy() throws Exception {
        Username name = Deployments.freshUsername("lookup");
        client.register(name, KeyStoreFiles.generate(), client.serverKey()).logout();
        Http http = Http.fromSystemProperty();
        admin.setAutoCommit(false);
        try (Statement lock = admin.createStatement()) {
            lock.execute("LOCK TABLE identity IN ACCESS EXCLUSIVE MODE");
            long started = System.nanoTime();
            Http.Answer busy = http.get("/user/" + name.value());
            long waited = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            assertEquals(503, busy.status(), busy.body());
            assertEquals("busy", Json.createReader(new java.io.StringReader(busy.body())).readObject()
                    .getString("error"));
            assertEquals("10", busy.header("Retry-After"), busy.headers().toString());
            assertTrue(waited >= 15, "the lookup waited for the lock (" + waited + " s)");
        } finally {
            admin.rollback();
            admin.setAutoCommit(true);
        }
        assertEquals(200, http.get("/user/" + name.value()).status(), "answered once the lock is gone");
    }

    /** Waits until a backend sleeps in the commit's trigger (within 30 s) and ends it. */
    private void endTheCommittingBackend(CompletableFuture<?> request) throws SQLException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (PreparedStatement q = admin.prepareStatement("SELECT pid FROM pg_stat_activity WHERE datname = ?"
                + " AND wait_event = 'PgSleep' AND pid <> pg_backend_pid()")) {
            q.setString(1, database);
            while (System.nanoTime() < deadline) {
                try (ResultSet r = q.executeQuery()) {
                    if (r.next()) {
                        int pid = r.getInt(1);
                        assertFalse(r.next(), "one backend sleeps in the trigger");
                        assertFalse(request.isDone(), "the request waits for its commit");
                        try (PreparedStatement kill = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
                            kill.setInt(1, pid);
                            try (ResultSet k = kill.executeQuery()) {
                                assertTrue(k.next() && k.getBoolean(1), "the backend was terminated");
                            }
                        }
                        return;
                    }
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("no backend ran the commit's trigger within 30 s");
    }
}
