package org.osms.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osms.client.KeyStoreFiles;
import org.osms.client.Messenger;
import org.osms.client.OsmsClient;
import org.osms.client.OsmsException;
import org.osms.client.Outbox;
import org.osms.client.PeerKeyCheck;
import org.osms.client.PeerPins;
import org.osms.it.Deployments;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.SessionProofs;
import org.osms.protocol.Username;

/**
 * The client's state on the user's machine, end to end against the deployed application: peers' keys pinned on first
 * use and a rotation accepted only after the public history showed it, and the outbox surviving a restart of the
 * client. Each "client process" is a new {@link Messenger} over the same home directory.
 */
@ExtendWith(ArquillianExtension.class)
class PinningIT {
    @Deployment
    static WebArchive deployment() {
        return Deployments.osmsWith("osms-it-pinning", PinningIT.class, User.class)
                .addPackage(OsmsClient.class.getPackage());
    }

    @ArquillianResource
    URL deploymentUrl;

    private final List<Path> homes = new ArrayList<>();

    record User(Username name, KeyPair key) {
    }

    @AfterEach
    void removeHomes() throws IOException {
        for (Path home : homes) {
            try (Stream<Path> files = Files.walk(home)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private String server() {
        return Deployments.application(deploymentUrl).base();
    }

    private OsmsClient client() {
        return new OsmsClient(URI.create(server()));
    }

    private User register(String prefix) {
        User u = new User(Deployments.freshUsername(prefix), KeyStoreFiles.generate());
        client().register(u.name(), u.key(), client().serverKey()).logout();
        return u;
    }

    private OsmsClient.Session login(Username name, KeyPair key) {
        return client().login(name, key, client().serverKey());
    }

    private Path home() throws IOException {
        Path home = Files.createTempDirectory("osms-home");
        homes.add(home);
        return home.resolve("osms"); // created by the client, 0700
    }

    /** A client process of {@code u} with its state in {@code home}; offline until {@link #online}. */
    private Messenger process(User u, KeyPair key, Path home) {
        OsmsClient client = client();
        OsmsClient.Session session = login(u.name(), key);
        Messenger m = new Messenger(client, session, key, new PeerKeyCheck(new PeerPins(home, server()), client),
                Outbox.in(home, server()));
        session.logout();
        return m;
    }

    /** One round online: log in, one fetch, log out; returns what arrived. */
    private List<Messenger.Event> online(User u, KeyPair key, Messenger m) {
        m.resume(login(u.name(), key));
        try {
            return m.poll(0);
        } finally {
            m.session().logout();
        }
    }

    /** What the events say, comparable: a key check's outcome, a problem, or a text. */
    private static List<String> summary(List<Messenger.Event> events) {
        return events.stream().map(e -> e.refused() ? "refused: " + e.problem()
                : e.keyCheck() != null ? e.keyCheck().outcome().code() : "text: " + e.text()).toList();
    }

    private static String secret(String label) {
        return label + "-" + UUID.randomUUID();
    }

    @Test
    void bobPinsAliceAndAcceptsHerReplacedKeyOnlyAfterCheckingHerHistory() throws Exception {
        User alice = register("alice");
        User bob = register("bob");
        Path aliceHome = home();
        Path bobHome = home();
        String first = secret("first");

        Messenger am = process(alice, alice.key(), aliceHome);
        am.resume(login(alice.name(), alice.key()));
        assertFalse(am.send(bob.name().value(), first));
        am.session().logout();
        Messenger bm = process(bob, bob.key(), bobHome);
        List<Messenger.Event> atBob = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            atBob.addAll(online(bob, bob.key(), bm));
            online(alice, alice.key(), am);
        }
        atBob.addAll(online(bob, bob.key(), bm));
        assertEquals(List.of("first_use", "text: " + first), summary(atBob));
        String oldFingerprint = OtrPublicKey.of(alice.key().getPublic()).fingerprint().hex();
        PeerPins bobsPins = new PeerPins(bobHome, server());
        long aliceId = client().historyPage(alice.name().value(), 0, 1).identityId();
        assertEquals(Optional.of(new PeerPins.Pin(oldFingerprint, aliceId)), bobsPins.pinned(alice.name().value()));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(bobsPins.file())));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(bobHome)));

        // alice replaces her key (what `osms rotate-key` does)
        KeyPair next = KeyStoreFiles.generate();
        OtrPublicKey nextPublic = OtrPublicKey.of(next.getPublic());
        long before = System.currentTimeMillis();
        OsmsClient.Session rotation = login(alice.name(), alice.key());
        rotation.command(Json.createObjectBuilder().add("command", "replace-key")
                .add("publicKey", Base64.getEncoder().encodeToString(nextPublic.serialized()))
                .add("signature", Base64.getEncoder().encodeToString(
                        SessionProofs.signKeyReplacement(rotation.challenge(), nextPublic, next.getPrivate())))
                .build());
        rotation.logout();
        long after = System.currentTimeMillis();

        // both start new client processes; bob's pins are on disk
        String second = secret("second");
        Messenger am2 = process(alice, next, aliceHome);
        am2.resume(login(alice.name(), next));
        assertFalse(am2.send(bob.name().value(), second));
        am2.session().logout();
        Messenger bm2 = process(bob, bob.key(), bobHome);
        List<Messenger.Event> atBob2 = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            atBob2.addAll(online(bob, bob.key(), bm2));
            online(alice, next, am2);
        }
        atBob2.addAll(online(bob, bob.key(), bm2));
        assertEquals(List.of("rotated", "text: " + second), summary(atBob2));
        PeerKeyCheck.Result rotated = atBob2.get(0).keyCheck();
        Instant at = rotated.changedAt().orElseThrow();
        assertTrue(!at.isBefore(Instant.ofEpochMilli(before)) && !at.isAfter(Instant.ofEpochMilli(after)),
                "rotated at " + at);
        assertTrue(rotated.message().contains(nextPublic.fingerprint().human()), rotated.message());
        assertEquals(Optional.of(new PeerPins.Pin(nextPublic.fingerprint().hex(), aliceId, false)),
                bobsPins.pinned(alice.name().value()), "the new key is pinned, to be confirmed before bob sends");
        assertEquals(nextPublic, bm2.verifiedKey(alice.name().value()).orElseThrow());
    }

    @Test
    void textsWrittenBeforeARestartAreSentAfterItInOrderAndOnce() throws Exception {
        User alice = register("alice");
        User bob = register("bob");
        Path aliceHome = home();
        String to = bob.name().value();
        List<String> texts = List.of(secret("one"), secret("two"));

        Messenger before = process(alice, alice.key(), aliceHome);
        before.resume(login(alice.name(), alice.key()));
        for (String t : texts) {
            assertFalse(before.send(to, t));
        }
        before.session().logout();
        Outbox outbox = Outbox.in(aliceHome, server());
        assertEquals(texts, outbox.waiting(to).stream().map(Outbox.Entry::text).toList());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(outbox.file())));

        // the process ends; bob answers the query it left; then alice's client starts again from its files
        Messenger bm = new Messenger(client(), login(bob.name(), bob.key()), bob.key());
        bm.session().logout();
        List<Messenger.Event> atBob = new ArrayList<>(online(bob, bob.key(), bm));
        Messenger restarted = process(alice, alice.key(), aliceHome);
        assertEquals(texts, restarted.queued(to));
        for (int round = 0; round < 4; round++) {
            online(alice, alice.key(), restarted);
            atBob.addAll(online(bob, bob.key(), bm));
        }
        assertEquals(texts.stream().map(t -> "text: " + t).toList(), summary(atBob), "once each, in order");
        assertEquals(List.of(), restarted.queued(to));
        assertEquals(List.of(), Outbox.in(aliceHome, server()).all(), "nothing left on disk");

        // blocked, alice is not told: her send is answered as any other, and her text reaches nobody; once bob
        // unblocks her, her next text reaches him over the same encrypted conversation
        OsmsClient.Session b = login(bob.name(), bob.key());
        b.block(alice.name().value());
        String dropped = secret("dropped");
        restarted.resume(login(alice.name(), alice.key()));
        assertTrue(restarted.send(to, dropped), "answered as sent");
        assertEquals(List.of(), Outbox.in(aliceHome, server()).all(), "nothing waits: the client cannot tell");
        b.unblock(alice.name().value());
        b.logout();
        String later = secret("later");
        assertTrue(restarted.send(to, later), "authenticated: sent at once");
        restarted.session().logout();
        assertEquals(List.of(), Outbox.in(aliceHome, server()).all());
        assertEquals(List.of("text: " + later), summary(online(bob, bob.key(), bm)),
                "what was sent while blocked never arrives");

        // alice's client restarts once more while bob's keeps its encrypted conversation: her new query starts over
        String afterRestart = secret("after-restart");
        Messenger again = process(alice, alice.key(), aliceHome);
        again.resume(login(alice.name(), alice.key()));
        assertFalse(again.send(to, afterRestart));
        again.session().logout();
        List<Messenger.Event> atBobAgain = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            atBobAgain.addAll(online(bob, bob.key(), bm));
            online(alice, alice.key(), again);
        }
        assertEquals(List.of("text: " + afterRestart), summary(atBobAgain));
        assertEquals(List.of(), Outbox.in(aliceHome, server()).all());
    }
}
