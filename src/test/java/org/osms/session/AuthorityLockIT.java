package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.transaction.UserTransaction;
import java.net.URI;
import java.net.URL;
import java.security.KeyPair;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.directory.Directory;
import org.osms.it.Deployments;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.SessionProofs;
import org.osms.protocol.Username;

/**
 * The authority rule's lock (docs/protocol.md, "Authority"), against the server's real database: a command that
 * changes something waits for the identity's row, locked here by a transaction of the test's own, and runs once it is
 * free; a command that changes nothing reads the row without waiting for it.
 *
 * <p>A command wrongly run without the lock could be applied under a key that is no longer current, and nothing else
 * would show it: every other test passes with or without the lock. So every command the server dispatches on (the
 * map {@link Commands} built in the container) is sent here while its identity's row is locked.
 */
@ExtendWith(ArquillianExtension.class)
class AuthorityLockIT {
    /** The commands that change nothing (docs/protocol.md, "Authority", which LockFreeCommandsTest holds to this). */
    static final Set<String> LOCK_FREE = Set.of("whoami", "fetch", "blocked", "quota", "export");

    @Deployment
    static WebArchive deployment() {
        return Deployments.osmsWith("osms-it-authority-lock", AuthorityLockIT.class)
                .addPackage(OsmsClient.class.getPackage());
    }

    @ArquillianResource
    URL deploymentUrl;

    @Inject
    Directory directory;

    @Inject
    Commands commands;

    @Resource(lookup = "java:comp/UserTransaction")
    UserTransaction tx;

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    ManagedExecutorService executor;

    private static JsonObject cmd(String name) {
        return Json.createObjectBuilder().add("command", name).build();
    }

    /**
     * The command without arguments, but replace-key whole: its new key is parsed, validated and proven before the
     * lock (CommandHandler.prepare), so without them it would be refused at once rather than wait.
     */
    private static JsonObject waitingCommand(String name, OsmsClient.Session session) {
        if (!name.equals("replace-key")) {
            return cmd(name);
        }
        KeyPair newKey = KeyStoreFiles.generate();
        OtrPublicKey newPublic = OtrPublicKey.of(newKey.getPublic());
        return Json.createObjectBuilder().add("command", name)
                .add("publicKey", Base64.getEncoder().encodeToString(newPublic.serialized()))
                .add("signature", Base64.getEncoder().encodeToString(
                        SessionProofs.signKeyReplacement(session.challenge(), newPublic, newKey.getPrivate())))
                .build();
    }

    @Test
    void aCommandThatChangesNothingDoesNotWaitForTheIdentitysLockAndOneThatChangesWaitsForIt() throws Exception {
        OsmsClient client = new OsmsClient(URI.create(Deployments.application(deploymentUrl).base()));
        OtrPublicKey serverKey = client.serverKey();
        Username name = Deployments.freshUsername("lock");
        Username renamed = Deployments.freshUsername("locked");
        KeyPair key = KeyStoreFiles.generate();
        client.register(name, key, serverKey).logout();
        long id = directory.findByUsername(name).orElseThrow().id();
        OsmsClient.Session session = client.login(name, key, serverKey);

        tx.begin();
        Future<JsonObject> rename;
        try {
            directory.lockForCommand(id).orElseThrow(); // held until this transaction ends
            JsonObject me = executor.submit(() -> session.command(cmd("whoami"))).get(10, TimeUnit.SECONDS);
            assertEquals(name.value(), me.getString("username"), "whoami answered while the row was locked");

            rename = executor.submit(() -> session.command(Json.createObjectBuilder().add("command", "rename")
                    .add("username", renamed.value()).build()));
            Thread.sleep(1500);
            assertFalse(rename.isDone(), "a rename waits for the identity's row");
        } finally {
            tx.rollback();
        }
        assertEquals(renamed.value(), rename.get(20, TimeUnit.SECONDS).getString("username"));
        assertEquals(renamed.value(), session.command(cmd("whoami")).getString("username"));
        assertEquals(renamed, directory.findByUsername(renamed).orElseThrow().username());
        session.logout();
    }

    /**
     * Every command Commands dispatches on, each on a conversation whose identity's row is locked: each that changes
     * nothing answers meanwhile, each other waits (without its arguments, as the lock comes before the handler reads
     * them; but replace-key, whose key is checked before the lock, whole) and answers once the row is free. A lock flag that Commands passed wrong would fail here.
     */
    @Test
    void everyCommandThatChangesNothingAnswersWhileTheRowIsLockedAndEveryOtherWaits() throws Exception {
        Set<String> lockFree = new TreeSet<>();
        Set<String> writing = new TreeSet<>();
        commands.handlers().forEach((name, handler) -> (handler.changesNothing(name) ? lockFree : writing).add(name));
        assertEquals(new TreeSet<>(LOCK_FREE), lockFree);
        assertTrue(writing.containsAll(Set.of("send", "ack", "block", "unblock", "rename", "replace-key",
                "unpublish-key", "publish-key", "revoke-key", "delete-account")), writing.toString());
        assertFalse(commands.handlers().containsKey("register")); // answered by Commands itself, before any authority

        OsmsClient client = new OsmsClient(URI.create(Deployments.application(deploymentUrl).base()));
        OtrPublicKey serverKey = client.serverKey();
        // one identity for the commands that change nothing, one for each other (some close their identity)
        Login reader = registered(client, serverKey);
        Map<String, Login> writers = new TreeMap<>();
        for (String name : writing) {
            writers.put(name, registered(client, serverKey));
        }
        Map<String, Future<JsonObject>> waiting = new TreeMap<>();
        tx.begin();
        try {
            directory.lockForCommand(reader.id()).orElseThrow();
            for (Login w : writers.values()) {
                directory.lockForCommand(w.id()).orElseThrow();
            }
            for (String name : lockFree) {
                JsonObject reply = executor.submit(() -> reader.session().sendCommand(cmd(name)))
                        .get(10, TimeUnit.SECONDS);
                assertTrue(reply.getBoolean("ok"), name + " answered while the row was locked: " + reply);
            }
            writers.forEach((name, w) -> waiting.put(name,
                    executor.submit(() -> w.session().sendCommand(waitingCommand(name, w.session())))));
            Thread.sleep(1500);
            waiting.forEach((name, reply) -> assertFalse(reply.isDone(), name + " waits for the identity's row"));
        } finally {
            tx.rollback();
        }
        for (Map.Entry<String, Future<JsonObject>> w : waiting.entrySet()) {
            JsonObject reply = w.getValue().get(20, TimeUnit.SECONDS);
            assertTrue(reply.containsKey("ok"), w.getKey() + " answered once the row was free: " + reply);
        }
        reader.session().logout();
    }

    /**
     * A command that waits for a lock longer than the database lets it (20 s: LOCK_TIMEOUT on the embedded database,
     * lock_timeout on PostgreSQL) is answered busy inside the channel, having done nothing, and its conversation goes
     * on: the failure used to escape the conversation's bean, which the container then discarded (a 500, and the
     * user logged out).
     */
    @Test
    void aCommandThatWaitsTooLongForALockIsAnsweredBusyAndTheConversationGoesOn() throws Exception {
        OsmsClient client = new OsmsClient(URI.create(Deployments.application(deploymentUrl).base()));
        OtrPublicKey serverKey = client.serverKey();
        Login login = registered(client, serverKey);
        Username wanted = Deployments.freshUsername("busy");
        JsonObject rename = Json.createObjectBuilder().add("command", "rename").add("username", wanted.value()).build();
        JsonObject reply;
        long started = System.nanoTime();
        tx.setTransactionTimeout(120);
        tx.begin();
        try {
            directory.lockForCommand(login.id()).orElseThrow(); // held until this transaction ends
            reply = executor.submit(() -> login.session().sendCommand(rename)).get(60, TimeUnit.SECONDS);
        } finally {
            tx.rollback();
            tx.setTransactionTimeout(0);
        }
        long waited = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
        assertFalse(reply.getBoolean("ok"), reply.toString());
        assertEquals("busy", reply.getString("error"), reply.toString());
        assertTrue(waited >= 19 && waited < 30, "answered when the wait ran out, after " + waited + " s");
        assertTrue(directory.findByUsername(wanted).isEmpty(), "nothing was done");

        JsonObject me = login.session().command(cmd("whoami"));
        assertEquals(login.id(), me.getJsonNumber("identityId").longValueExact(), "the conversation goes on");
        assertEquals(wanted.value(), login.session().command(rename).getString("username"));
        login.session().logout();
    }

    /** A logged-in conversation and its identity's id. */
    private record Login(OsmsClient.Session session, long id) {
    }

    private static Login registered(OsmsClient client, OtrPublicKey serverKey) {
        OsmsClient.Session s = client.register(Deployments.freshUsername("lock"), KeyStoreFiles.generate(), serverKey);
        return new Login(s, s.command(cmd("whoami")).getJsonNumber("identityId").longValueExact());
    }
}
