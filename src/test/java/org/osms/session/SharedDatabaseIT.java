package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.URL;
import java.security.KeyPair;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.client.OsmsException;
import org.osms.directory.Directory;
import org.osms.directory.Identity;
import org.osms.it.Deployments;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/**
 * Several servers may share one database (README). A change that ends an identity's conversations, made through
 * another server, reaches this server's conversations through the database alone: only the other server's registry
 * ends its own. The conversations here are the application's, at the server's root, over HTTP with the reference
 * client. The changes are made by this test deployment, a second copy of OSMS in the same server with a registry of
 * its own, calling its directory as its commands would (each change in its own transaction): to the application,
 * that is another server on the same database.
 */
@ExtendWith(ArquillianExtension.class)
class SharedDatabaseIT {
    @Deployment
    static WebArchive deployment() {
        return Deployments.osmsWith("osms-it-shared-database", SharedDatabaseIT.class)
                .addPackage(OsmsClient.class.getPackage());
    }

    @ArquillianResource
    URL deploymentUrl;

    @Inject
    Directory directory;

    /** The waiting fetch's own thread: the common pool of a two-core machine may be busy with another task. */
    private static final ExecutorService THREADS = Executors.newCachedThreadPool();

    @AfterAll
    static void stopThreads() {
        THREADS.shutdownNow();
    }

    private OsmsClient client() {
        return new OsmsClient(URI.create(Deployments.application(deploymentUrl).base()));
    }

    private static JsonObject whoami(OsmsClient.Session s) {
        return s.command(Json.createObjectBuilder().add("command", "whoami").build());
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void assertEnded(OsmsClient.Session s) {
        OsmsException e = assertThrows(OsmsException.class, () -> whoami(s));
        assertEquals(404, e.status(), e.getMessage());
        assertEquals("unknown_session", e.code());
    }

    /** A registered identity, and a conversation of it logged in before anything changed. */
    private record LoggedIn(Username name, KeyPair key, Identity identity, OsmsClient.Session session) {
    }

    private LoggedIn loggedIn() {
        OsmsClient client = client();
        OtrPublicKey serverKey = client.serverKey();
        Username name = Deployments.freshUsername("shared");
        KeyPair key = KeyStoreFiles.generate();
        client.register(name, key, serverKey).logout();
        OsmsClient.Session session = client.login(name, key, serverKey);
        assertEquals(name.value(), whoami(session).getString("username"));
        return new LoggedIn(name, key, directory.findByUsername(name).orElseThrow(), session);
    }

    /** The conversation of before has ended; a login now, with the same key, acts as the identity. */
    private void assertEndedWhileANewLoginActs(LoggedIn before) {
        assertEnded(before.session());
        OsmsClient.Session after = client().login(before.name(), before.key(), client().serverKey());
        JsonObject me = whoami(after);
        assertEquals(before.name().value(), me.getString("username"), "a new login acts");
        assertEquals(OtrPublicKey.of(before.key().getPublic()).fingerprint().hex(), me.getString("fingerprint"));
        after.logout();
    }

    /**
     * Besides the conversation that sends the next command: a fetch waiting here answers 404 when its wait ends and it
     * runs again (nothing here wakes it; one that arrived after the change would answer 404 at once), and another
     * conversation of before still logs out as any does.
     */
    @Test
    void aConversationFromBeforeASuspensionLiftedElsewhereIsEnded() {
        LoggedIn before = loggedIn();
        OsmsClient.Session waiting = client().login(before.name(), before.key(), client().serverKey());
        OsmsClient.Session leaving = client().login(before.name(), before.key(), client().serverKey());
        CompletableFuture<OsmsException> fetch = CompletableFuture.supplyAsync(
                () -> assertThrows(OsmsException.class, () -> waiting.fetch(0, 10, 2)), THREADS);
        sleep(500); // the fetch reaches the server and waits there
        directory.suspend(before.name());
        directory.reinstate(before.name());
        OsmsException ended = fetch.join();
        assertEquals(404, ended.status(), ended.getMessage());
        assertEquals("unknown_session", ended.code());
        leaving.logout();
        Identity now = directory.find(before.identity().id()).orElseThrow();
        assertEquals(before.identity().status(), now.status(), "the status is what it was");
        assertEquals(before.identity().fingerprint(), now.fingerprint(), "and so is the key");

        assertEndedWhileANewLoginActs(before);
    }

    @Test
    void aConversationFromBeforeItsKeyWasReplacedAndReplacedBackElsewhereIsEnded() {
        LoggedIn before = loggedIn();
        OtrPublicKey key = OtrPublicKey.of(before.key().getPublic());
        directory.replaceKey(before.identity().id(), OtrPublicKey.of(KeyStoreFiles.generate().getPublic()));
        directory.replaceKey(before.identity().id(), key);
        assertEquals(key.fingerprint(), directory.find(before.identity().id()).orElseThrow().fingerprint()
                .orElseThrow(), "the key is the one it proved");

        assertEndedWhileANewLoginActs(before);
    }

    @Test
    void aRenameOrAPublicationElsewhereEndsNothing() {
        LoggedIn before = loggedIn();
        Username renamed = Deployments.freshUsername("moved");
        directory.rename(before.identity().id(), renamed);
        directory.unpublishKey(before.identity().id());
        directory.publishKey(before.identity().id());
        assertEquals(renamed.value(), whoami(before.session()).getString("username"), "the conversation acts on");
        before.session().logout();
    }
}
