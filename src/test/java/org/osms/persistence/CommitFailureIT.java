package org.osms.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.it.Deployments;
import org.osms.it.Http;
import org.osms.it.PostgresTestDatabase;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/**
 * A command whose commit fails after all its work was written (docs/protocol.md, "Commands": {@code
 * unknown_outcome}), against the PostgreSQL test server: the database connection is ended while PostgreSQL runs the
 * commit. The server cannot know whether the commit happened, so it must not answer {@code busy} ("nothing was done;
 * send it again", on which a client would store a {@code send} twice), and the conversation goes on.
 *
 * <p>The fault is injected with the database's own means, from the test's side: a deferred constraint trigger, which
 * PostgreSQL runs inside COMMIT, sleeps for renames to one name, and the test terminates the backend running it. The
 * embedded database has no connection to lose, so the H2 run has nothing to test here.
 */
class CommitFailureIT {
    private static final String SLEEPER = "osms_it_slow_commit";

    @Test
    void aCommitThatLosesItsConnectionIsAnsweredUnknownOutcomeAndTheConversationGoesOn() throws Exception {
        String database = System.getProperty("osms.it.pg.database");
        assumeTrue(database != null, "only the PostgreSQL test server has a database connection to lose");
        OsmsClient client = new OsmsClient(URI.create(Http.fromSystemProperty().base()));
        OtrPublicKey serverKey = client.serverKey();
        Username name = Deployments.freshUsername("commit");
        OsmsClient.Session session = client.register(name, KeyStoreFiles.generate(), serverKey);
        Username slow = Deployments.freshUsername("slowcommit");
        JsonObject rename = Json.createObjectBuilder().add("command", "rename").add("username", slow.value()).build();

        JsonObject reply;
        try (Connection admin = PostgresTestDatabase.connectAsAdministrator(database);
             Statement s = admin.createStatement()) {
            s.execute("CREATE FUNCTION " + SLEEPER + "() RETURNS trigger LANGUAGE plpgsql AS "
                    + "$$ BEGIN PERFORM pg_sleep(60); RETURN NULL; END $$");
            s.execute("CREATE CONSTRAINT TRIGGER " + SLEEPER + " AFTER INSERT ON username_claim"
                    + " DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.username LIKE 'slowcommit%')"
                    + " EXECUTE FUNCTION " + SLEEPER + "()");
            try {
                CompletableFuture<JsonObject> answer = CompletableFuture.supplyAsync(() -> session.sendCommand(rename));
                int pid = committingBackend(admin, database);
                assertFalse(answer.isDone(), "the rename waits for its commit");
                try (PreparedStatement kill = admin.prepareStatement("SELECT pg_terminate_backend(?)")) {
                    kill.setInt(1, pid);
                    try (ResultSet r = kill.executeQuery()) {
                        assertTrue(r.next() && r.getBoolean(1), "the backend was terminated");
                    }
                }
                reply = answer.get(60, TimeUnit.SECONDS);
            } finally {
                s.execute("DROP TRIGGER " + SLEEPER + " ON username_claim");
                s.execute("DROP FUNCTION " + SLEEPER + "()");
            }
        }
        assertFalse(reply.getBoolean("ok"), reply.toString());
        assertEquals("unknown_outcome", reply.getString("error"), reply.toString());

        // The commit never finished (its backend ended inside it), so the name is the old one; the conversation goes
        // on with the next seq, and the same rename, asked again, is done.
        JsonObject me = session.command(Json.createObjectBuilder().add("command", "whoami").build());
        assertEquals(name.value(), me.getString("username"));
        assertEquals(slow.value(), session.command(rename).getString("username"));
        assertEquals(slow.value(),
                session.command(Json.createObjectBuilder().add("command", "whoami").build()).getString("username"));
        session.logout();
    }

    /** The pid of the backend that runs the sleeping trigger, once it does (within 30 s). */
    private static int committingBackend(Connection admin, String database) throws SQLException,
            InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        try (PreparedStatement q = admin.prepareStatement("SELECT pid FROM pg_stat_activity WHERE datname = ?"
                + " AND wait_event = 'PgSleep' AND pid <> pg_backend_pid()")) {
            q.setString(1, database);
            while (System.nanoTime() < deadline) {
                try (ResultSet r = q.executeQuery()) {
                    if (r.next()) {
                        int pid = r.getInt(1);
                        assertFalse(r.next(), "one backend sleeps in the trigger");
                        return pid;
                    }
                }
                Thread.sleep(50);
            }
        }
        throw new AssertionError("no backend ran the commit's trigger within 30 s");
    }
}
