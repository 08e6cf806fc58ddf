package org.osms.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.annotation.Resource;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osms.client.KeyStoreFiles;
import org.osms.client.Messenger;
import org.osms.client.OsmsClient;
import org.osms.client.OsmsException;
import org.osms.it.Deployments;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.SessionProofs;
import org.osms.protocol.Username;

/**
 * Messaging end to end: the reference client library over HTTP against the deployed application, and the database
 * read directly (the application's own account) to prove what the server stores and what it does not.
 */
@ExtendWith(ArquillianExtension.class)
class MessagingIT {
    @Deployment
    static WebArchive deployment() {
        // the whole reference client library (its transports included), as a user's program would have it
        return Deployments.osmsWith("osms-it-messaging", MessagingIT.class, User.class)
                .addPackage(OsmsClient.class.getPackage());
    }

    @ArquillianResource
    URL deploymentUrl;

    @Resource(lookup = "jdbc/osms")
    DataSource db;

    /** The embedded database shows other sessions, and who blocks them, to its owner only. */
    @Resource(lookup = "jdbc/osmsOwner")
    DataSource owner;

    @Inject
    Mailboxes mailboxes;

    record User(Username name, KeyPair key) {
    }

    private OsmsClient client() {
        return new OsmsClient(URI.create(Deployments.application(deploymentUrl).base()));
    }

    private OtrPublicKey serverKey() {
        return client().serverKey();
    }

    private User register(String prefix) {
        User u = new User(Deployments.freshUsername(prefix), KeyStoreFiles.generate());
        client().register(u.name(), u.key(), serverKey()).logout();
        return u;
    }

    private OsmsClient.Session login(User u) {
        return client().login(u.name(), u.key(), serverKey());
    }

    private static String secret(String label) {
        return label + "-" + UUID.randomUUID();
    }

    /** One round online: log in, one fetch, log out; returns what arrived. */
    private List<Messenger.Event> online(User u, Messenger m) {
        m.resume(login(u));
        try {
            return m.poll(0);
        } finally {
            m.session().logout();
        }
    }

    @Test
    void messagesSentWhileTheRecipientIsOfflineArriveOnceInOrderAndRepliesComeBack() throws SQLException {
        User alice = register("alice");
        User bob = register("bob");
        List<String> texts = List.of(secret("first"), secret("second"), secret("third"));
        Messenger am = new Messenger(client(), login(alice), alice.key());
        for (String t : texts) {
            assertFalse(am.send(bob.name().value(), t), "no end-to-end conversation yet: the text is queued");
        }
        assertEquals(texts, am.queued(bob.name().value()));
        am.session().logout();

        // Each side comes online in turn while the other is offline; the AKE goes through the mailboxes.
        Messenger bm = new Messenger(client(), login(bob), bob.key());
        bm.session().logout();
        List<Messenger.Event> atBob = new ArrayList<>();
        List<Messenger.Event> atAlice = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            atBob.addAll(online(bob, bm));
            atAlice.addAll(online(alice, am));
        }
        atBob.addAll(online(bob, bm));
        assertEquals(List.of(), atAlice, "nothing for alice yet, and no problem");
        assertEquals(texts, atBob.stream().map(Messenger.Event::text).toList(), "exactly the three, once, in order");
        assertEquals(List.of(), am.queued(bob.name().value()));
        assertEquals(OtrPublicKey.of(alice.key().getPublic()), bm.verifiedKey(alice.name().value()).orElseThrow());

        String reply = secret("reply");
        bm.resume(login(bob));
        assertTrue(bm.send(alice.name().value(), reply), "authenticated now: sent at once");
        assertEquals(List.of(), bm.poll(0), "nothing delivered twice");
        bm.session().logout();
        List<Messenger.Event> back = online(alice, am);
        assertEquals(List.of(new Messenger.Event(bob.name().value(), reply, null)), back);

        assertEquals(0, count("SELECT COUNT(*) FROM mailbox_message WHERE recipient_id IN (?, ?)",
                identityId(alice), identityId(bob)), "every message was acknowledged and deleted");
        List<String> plaintexts = new ArrayList<>(texts);
        plaintexts.add(reply);
        assertNoTableHolds(plaintexts);
    }

    @Test
    void aPeerWhoseProvenKeyIsNotTheDirectorysKeyIsRefused() {
        User bob = register("bob");
        User mallory = register("mallory");
        // mallory logs in with her registered key but runs the end-to-end conversation with another key
        Messenger mm = new Messenger(client(), login(mallory), KeyStoreFiles.generate());
        String text = secret("forged");
        mm.send(bob.name().value(), text);
        mm.session().logout();
        Messenger bm = new Messenger(client(), login(bob), bob.key());
        bm.session().logout();
        List<Messenger.Event> atBob = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            atBob.addAll(online(bob, bm));
            online(mallory, mm);
        }
        atBob.addAll(online(bob, bm));
        assertTrue(atBob.stream().anyMatch(e -> e.refused()
                && e.problem().contains("the directory publishes")), "bob refused: " + atBob);
        assertTrue(atBob.stream().noneMatch(e -> text.equals(e.text())), "nothing from the forged key accepted");
        assertTrue(bm.verifiedKey(mallory.name().value()).isEmpty());
    }

    @Test
    void refusedSendsGetTheirErrorsAndLoseNothingAlreadyStored() throws SQLException {
        User alice = register("alice");
        User bob = register("bob");
        OsmsClient.Session a = login(alice);
        String to = bob.name().value();
        a.sendTo(to, "?OTRv3?");

        User revoked = register("revoked");
        OsmsClient.Session r = login(revoked);
        r.command(Json.createObjectBuilder().add("command", "revoke-key").build());
        User deleted = register("deleted");
        OsmsClient.Session d = login(deleted);
        d.command(Json.createObjectBuilder().add("command", "delete-account").build());

        OsmsException unknown = refused(a, Deployments.freshUsername("nobody").value(), "?OTRv3?");
        assertEquals("no_such_recipient", unknown.code());
        assertEquals("no_such_recipient", refused(a, revoked.name().value(), "?OTRv3?").code());
        assertEquals("no_such_recipient", refused(a, deleted.name().value(), "?OTRv3?").code());
        for (String notOtr : List.of("hello bob", "?OTRv3? hello", "?OTR Error: hello", "?OTR|1|2|3,1,1,x,",
                "?OTR:" + Base64.getEncoder().encodeToString(new byte[] {0, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0}) + ".",
                "?OTR:not base64!.", "?OTRv2?", "", "?OTRv" + "3".repeat(16_000))) {
            assertEquals("not_otr", refused(a, to, notOtr).code(), notOtr);
        }
        assertEquals("body_too_large", refused(a, to, fakeDataMessage(20_000)).code());

        OsmsClient.Session b = login(bob);
        JsonObject blocking = b.block(alice.name().value());
        assertEquals(identityId(alice), blocking.getJsonNumber("identityId").longValue());
        assertEquals(1, blocking.getInt("discarded"), "alice's waiting message goes with the block: " + blocking);
        assertEquals(0, b.quota().getJsonObject("usage").getInt("messages"));
        assertEquals(Json.createObjectBuilder().add("ok", true).add("to", to).build(),
                withoutSeq(a.sendTo(to, "?OTRv3?")), "a blocked sender is answered as for a delivery");
        assertEquals(0, b.quota().getJsonObject("usage").getInt("messages"), "and its message is stored nowhere");
        assertEquals(1, b.blocked().getJsonArray("blocked").size());
        b.unblock(alice.name().value());
        assertEquals(0, b.blocked().getJsonArray("blocked").size());
        assertEquals("no_change", assertThrows(OsmsException.class, () -> b.unblock(alice.name().value())).code());
        assertEquals(0, b.fetch(0, 100, 0).getJsonArray("messages").size(), "an unblock brings nothing back");
        a.sendTo(to, "?OTRv3?");

        // one sender fills at most a quarter of bob's mailbox (test servers: osms.it.mailboxMaxMessages)
        int max = Integer.parseInt(System.getProperty("osms.it.mailboxMaxMessages", "20"));
        int share = max / 4;
        List<String> sent = new ArrayList<>(List.of("?OTRv3?"));
        for (int i = 1; i < share; i++) {
            String body = fakeDataMessage(100);
            a.sendTo(to, body);
            sent.add(body);
        }
        assertEquals("mailbox_full", refused(a, to, fakeDataMessage(100)).code(), "alice holds her share");
        assertEquals(share, b.quota().getJsonObject("usage").getInt("messages"), "the refused message was not stored");
        // other senders still reach bob, and fill his mailbox to its limit
        while (sent.size() < max) {
            OsmsClient.Session other = login(register("other"));
            for (int i = 0; i < share && sent.size() < max; i++) {
                String body = fakeDataMessage(100);
                other.sendTo(to, body);
                sent.add(body);
            }
            other.logout();
        }
        OsmsClient.Session late = login(register("late"));
        assertEquals("mailbox_full", refused(late, to, fakeDataMessage(100)).code(), "full for everyone now");
        late.logout();
        User blockedUser = register("blocked");
        OsmsClient.Session blockedSender = login(blockedUser);
        b.block(blockedUser.name().value());
        assertEquals("mailbox_full", refused(blockedSender, to, fakeDataMessage(100)).code(),
                "a blocked sender is refused as everyone is: no ok that would show it is blocked");
        blockedSender.logout();
        JsonObject quota = b.quota();
        assertEquals(max, quota.getJsonObject("usage").getInt("messages"));
        assertEquals(sent.stream().mapToInt(String::length).sum(),
                quota.getJsonObject("usage").getJsonNumber("bytes").longValue());

        JsonObject page = b.fetch(0, 100, 0);
        List<String> bodies = page.getJsonArray("messages").stream()
                .map(v -> v.asJsonObject().getString("body")).toList();
        assertEquals(sent, bodies, "every stored message intact, in order; nothing refused was stored");
        JsonObject first = page.getJsonArray("messages").getJsonObject(0);
        assertEquals(alice.name().value(), first.getString("from"));
        assertEquals(identityId(alice), first.getJsonNumber("fromIdentityId").longValue());
        assertEquals(OtrPublicKey.of(alice.key().getPublic()).fingerprint().hex(), first.getString("fingerprint"));
        List<Long> ids = page.getJsonArray("messages").stream()
                .map(v -> v.asJsonObject().getJsonNumber("id").longValue()).toList();
        JsonObject wrapped = b.sendCommand(Json.createObjectBuilder().add("command", "ack").add("ids",
                Json.createArrayBuilder().add(java.math.BigInteger.ONE.shiftLeft(64).add(
                        java.math.BigInteger.valueOf(ids.get(0))))).build());
        assertEquals("bad_command", wrapped.getString("error"), "2^64 + an id is no message id: " + wrapped);
        assertEquals(max, b.quota().getJsonObject("usage").getInt("messages"), "nothing was acknowledged");
        assertEquals(max, b.ack(ids));
        assertEquals(0, b.ack(ids), "an acknowledged message is gone for good");
        assertEquals(0, b.fetch(0, 100, 0).getJsonArray("messages").size());
        assertEquals(0, b.quota().getJsonObject("usage").getInt("messages"));
        a.logout();
        b.logout();
    }

    /**
     * A few senders that fill a mailbox shut everyone else out until its owner reads it all; a block takes the
     * mailbox back at once: the blocked sender's waiting messages are discarded, and nobody else's.
     */
    @Test
    void aBlockDiscardsTheBlockedSendersWaitingMessagesAndNoOthers() {
        User bob = register("bob");
        User carol = register("carol");
        OsmsClient.Session b = login(bob);
        OsmsClient.Session c = login(carol);
        String to = bob.name().value();
        String fromCarol = fakeDataMessage(150);
        c.sendTo(to, fromCarol);
        int max = Integer.parseInt(System.getProperty("osms.it.mailboxMaxMessages", "20"));
        List<User> fillers = new ArrayList<>();
        int stored = 1;
        while (stored < max) {
            User filler = register("filler");
            fillers.add(filler);
            OsmsClient.Session f = login(filler);
            for (int i = 0; i < max / 4 && stored < max; i++, stored++) {
                f.sendTo(to, fakeDataMessage(100 + fillers.size()));
            }
            f.logout();
        }
        assertTrue(fillers.size() >= 4, "the mailbox took " + fillers.size() + " senders to fill");
        OsmsClient.Session late = login(register("late"));
        assertEquals("mailbox_full", refused(late, to, fakeDataMessage(100)).code());

        int left = max;
        long bytes = b.quota().getJsonObject("usage").getJsonNumber("bytes").longValue();
        for (User filler : fillers) {
            JsonObject blocking = b.block(filler.name().value());
            int theirs = blocking.getInt("discarded");
            assertTrue(theirs > 0 && theirs <= max / 4, "discarded " + theirs);
            left -= theirs;
            bytes -= (long) theirs * fakeDataMessage(100 + fillers.indexOf(filler) + 1).length();
            JsonObject usage = b.quota().getJsonObject("usage");
            assertEquals(left, usage.getInt("messages"), "exactly the blocked sender's messages went");
            assertEquals(bytes, usage.getJsonNumber("bytes").longValue());
        }
        assertEquals(1, left, "carol's message is all that is left");
        assertEquals(fromCarol.length(), bytes);
        JsonArray waiting = b.fetch(0, 100, 0).getJsonArray("messages");
        assertEquals(1, waiting.size());
        assertEquals(carol.name().value(), waiting.getJsonObject(0).getString("from"));
        assertEquals(fromCarol, waiting.getJsonObject(0).getString("body"));
        assertEquals(to, late.sendTo(to, fakeDataMessage(100)).getString("to"), "the mailbox takes mail again");
        assertEquals("no_change", assertThrows(OsmsException.class,
                () -> b.block(fillers.get(0).name().value())).code(), "blocked already");
        late.logout();
        b.logout();
        c.logout();
    }

    /**
     * A send that looked for a block before the block was committed, and then waits for the mailbox while the block
     * holds it, stores nothing: it reads the block list again once it holds the mailbox. The test holds bob's mailbox
     * row itself, lets bob's block of carol queue for it first and carol's send second, then lets both go. On
     * PostgreSQL the first to queue takes the row first, so the send finds the block only by reading again. The
     * embedded database lets one writing transaction in at a time, and the send looks for blocks only once in: there
     * the two pass in either order, and both orders must leave nothing of carol's waiting.
     */
    @Test
    void aSendWaitingForTheMailboxWhileABlockHoldsItStoresNothing() throws Exception {
        User bob = register("bob");
        User carol = register("carol");
        OsmsClient.Session b = login(bob);
        OsmsClient.Session c = login(carol);
        String to = bob.name().value();
        String body = fakeDataMessage(120);
        long bobId = identityId(bob);
        CompletableFuture<JsonObject> blocking;
        CompletableFuture<JsonObject> sending;
        // threads of their own: the common pool of a two-core machine runs one task at a time
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        boolean postgres;
        try (Connection holder = db.getConnection()) {
            postgres = "PostgreSQL".equals(holder.getMetaData().getDatabaseProductName());
            holder.setAutoCommit(false);
            try (PreparedStatement lock = holder.prepareStatement(
                    "SELECT message_count FROM mailbox WHERE identity_id = ? FOR UPDATE")) {
                lock.setLong(1, bobId);
                lock.executeQuery().close();
            }
            long holderPid = postgres ? backendPid(holder) : 0;
            // both waits well within the 20 s a command waits for a lock before it answers busy
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            blocking = CompletableFuture.supplyAsync(() -> b.block(carol.name().value()), two);
            awaitWaiters(1, blocking, holderPid, deadline);
            sending = CompletableFuture.supplyAsync(() -> c.sendTo(to, body), two);
            awaitWaiters(2, sending, holderPid, deadline);
            assertFalse(blocking.isDone() || sending.isDone(), "both wait for the mailbox");
            holder.rollback();
        } finally {
            two.shutdown();
        }
        JsonObject blocked = blocking.get(30, TimeUnit.SECONDS);
        assertEquals(to, sending.get(30, TimeUnit.SECONDS).getString("to"),
                "answered as a delivery, whichever went first: a refusal would tell carol she is blocked");
        int discarded = blocked.getInt("discarded");
        if (postgres) {
            assertEquals(0, discarded, "the block, first in the queue, went first: nothing of carol's was there yet");
        } else {
            assertTrue(discarded == 0 || discarded == 1, "discarded " + discarded);
        }
        assertEquals(0, count("SELECT COUNT(*) FROM mailbox_message WHERE recipient_id = ?", bobId),
                "nothing of carol's waits for bob");
        JsonObject usage = b.quota().getJsonObject("usage");
        assertEquals(0, usage.getInt("messages"));
        assertEquals(0, usage.getJsonNumber("bytes").longValue());
        assertEquals(0, b.fetch(0, 10, 0).getJsonArray("messages").size());
        b.logout();
        c.logout();
    }

    /**
     * Waits until this many commands wait behind the test's lock of the mailbox row. On PostgreSQL, the first waiter
     * for a row waits for the holder's transaction and the next for the first: each is a blocked session. The
     * embedded database lets one writing transaction in at a time (org.osms.h2.WriteGate), which the test's
     * {@code FOR UPDATE} holds: there the commands wait at that gate, before their first write.
     */
    private void awaitWaiters(int n, CompletableFuture<?> command, long holderPid, long deadline) throws Exception {
        try (Connection c = owner.getConnection()) {
            while ((holderPid == 0 ? commandsAtTheWriteGate() : waitingBehind(c, holderPid)) < n) {
                if (command.isDone()) {
                    throw new AssertionError("the command did not wait: "
                            + command.handle((v, e) -> e == null ? v : e).join());
                }
                assertTrue(System.nanoTime() < deadline, "no " + n + " commands waiting in time");
                Thread.sleep(20);
            }
        }
    }

    private static long backendPid(Connection c) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT pg_backend_pid()"); ResultSet r = p.executeQuery()) {
            r.next();
            return r.getLong(1);
        }
    }

    /**
     * Sessions waiting behind the holder's: blocked by it, or by a session that it blocks (the second waiter for a
     * row waits for the first).
     */
    private static long waitingBehind(Connection c, long holderPid) throws SQLException {
        try (PreparedStatement p = c.prepareStatement("SELECT COUNT(*) FROM pg_stat_activity a"
                + " WHERE CAST(? AS INTEGER) = ANY(pg_blocking_pids(a.pid)) OR EXISTS (SELECT 1 FROM pg_stat_activity b"
                + " WHERE CAST(? AS INTEGER) = ANY(pg_blocking_pids(b.pid))"
                + " AND b.pid = ANY(pg_blocking_pids(a.pid)))")) {
            p.setLong(1, holderPid);
            p.setLong(2, holderPid);
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    /**
     * Commands of this server waiting to write to the embedded database (the test runs in the server): threads at the
     * write gate inside a command's authority check, which the retention's sweep, say, is not.
     */
    private static long commandsAtTheWriteGate() {
        return Thread.getAllStackTraces().values().stream().filter(stack -> has(stack, "org.osms.h2.WriteGate", "enter")
                && has(stack, "org.osms.session.Authority", "run")).count();
    }

    private static boolean has(StackTraceElement[] stack, String className, String method) {
        return java.util.Arrays.stream(stack).anyMatch(f -> f.getClassName().equals(className)
                && f.getMethodName().equals(method));
    }

    @Test
    void anAckCountsWhatItDeletedExactlyAndABlockStopsOnlyTheBlockedSender() {
        User alice = register("alice");
        User bob = register("bob");
        User carol = register("carol");
        OsmsClient.Session a = login(alice);
        OsmsClient.Session b = login(bob);
        OsmsClient.Session c = login(carol);
        String to = bob.name().value();
        // bob blocks carol: carol no longer reaches bob, alice still does, and bob still reaches carol; carol is
        // answered as for any send (the directory shows bob can receive, so a refusal would tell her she is blocked)
        b.block(carol.name().value());
        assertEquals(to, c.sendTo(to, "?OTRv3?").getString("to"));
        assertEquals(0, b.quota().getJsonObject("usage").getInt("messages"), "carol's message is stored nowhere");
        List<String> sent = List.of(fakeDataMessage(100), fakeDataMessage(200), fakeDataMessage(300));
        for (String body : sent) {
            a.sendTo(to, body);
        }
        b.sendTo(carol.name().value(), "?OTRv3?");
        JsonArray atCarol = c.fetch(0, 100, 0).getJsonArray("messages");
        assertEquals(1, atCarol.size());
        assertEquals(to, atCarol.getJsonObject(0).getString("from"));
        List<Long> ids = b.fetch(0, 100, 0).getJsonArray("messages").stream()
                .map(v -> v.asJsonObject().getJsonNumber("id").longValue()).toList();
        assertEquals(3, ids.size());

        // the first and the third, the first twice, and a number that was never given: two were waiting
        assertEquals(2, b.ack(List.of(ids.get(0), ids.get(2), ids.get(0), ids.get(2) + 1000)));
        JsonObject usage = b.quota().getJsonObject("usage");
        assertEquals(1, usage.getInt("messages"));
        assertEquals(sent.get(1).length(), usage.getJsonNumber("bytes").longValue());
        assertEquals(0, b.ack(List.of(ids.get(0), ids.get(2))), "nothing of them is left to acknowledge");
        assertEquals(sent.get(1).length(), b.quota().getJsonObject("usage").getJsonNumber("bytes").longValue());
        assertEquals(1, b.ack(List.of(ids.get(1))));
        usage = b.quota().getJsonObject("usage");
        assertEquals(0, usage.getInt("messages"));
        assertEquals(0, usage.getJsonNumber("bytes").longValue());
        a.logout();
        b.logout();
        c.logout();
    }

    @Test
    void aKeyReplacementOrRevocationEndsTheIdentitysOtherConversationsForMessaging() throws SQLException {
        User alice = register("alice");
        User bob = register("bob");
        OsmsClient.Session first = login(alice);
        OsmsClient.Session second = login(alice);
        second.sendTo(bob.name().value(), "?OTRv3?");
        KeyPair next = KeyStoreFiles.generate();
        OtrPublicKey nextPublic = OtrPublicKey.of(next.getPublic());
        first.command(Json.createObjectBuilder().add("command", "replace-key")
                .add("publicKey", Base64.getEncoder().encodeToString(nextPublic.serialized()))
                .add("signature", Base64.getEncoder().encodeToString(
                        SessionProofs.signKeyReplacement(first.challenge(), nextPublic, next.getPrivate())))
                .build());
        OsmsException send = assertThrows(OsmsException.class, () -> second.sendTo(bob.name().value(), "?OTRv3?"));
        assertEquals(404, send.status());
        assertEquals("unknown_session", send.code());

        OsmsClient.Session third = client().login(alice.name(), next, serverKey());
        OsmsClient.Session fourth = client().login(alice.name(), next, serverKey());
        CompletableFuture<OsmsException> waiting = CompletableFuture.supplyAsync(() ->
                assertThrows(OsmsException.class, () -> fourth.fetch(0, 10, 3)));
        third.command(Json.createObjectBuilder().add("command", "revoke-key").build());
        OsmsException fetch = waiting.join();
        assertEquals(404, fetch.status(), "a fetch waiting while its identity is revoked gets no mail");
        assertEquals("unknown_session", fetch.code());
        assertEquals(1, count("SELECT COUNT(*) FROM mailbox_message WHERE recipient_id = ?", identityId(bob)),
                "only the message sent before the key changed");
    }

    /**
     * The sender's share holds for bytes as for messages: a quarter of the mailbox's byte limit (from its quota) in
     * large messages, then mailbox_full for that sender only, with nothing stored.
     */
    @Test
    void aSenderFillsAtMostAQuarterOfAMailboxsBytes() {
        User alice = register("alice");
        User bob = register("bob");
        OsmsClient.Session b = login(bob);
        long maxBytes = b.quota().getJsonObject("limits").getJsonNumber("maxBytes").longValue();
        int length = 16_000;
        long fitting = maxBytes / 4 / length;
        assertTrue(fitting >= 1 && fitting < Integer.parseInt(System.getProperty("osms.it.mailboxMaxMessages", "20"))
                / 4, "the bytes, not the count, must be what runs out: " + maxBytes);
        OsmsClient.Session a = login(alice);
        for (int i = 0; i < fitting; i++) {
            a.sendTo(bob.name().value(), fakeDataMessage(length + 4 * i));
        }
        String oneMore = fakeDataMessage(length + 4 * (int) fitting);
        assertEquals("mailbox_full", refused(a, bob.name().value(), oneMore).code());
        JsonObject usage = b.quota().getJsonObject("usage");
        assertEquals(fitting, usage.getInt("messages"), "the refused message was not stored");
        OsmsClient.Session c = login(register("carol"));
        c.sendTo(bob.name().value(), fakeDataMessage(length));
        assertEquals(fitting + 1, b.quota().getJsonObject("usage").getInt("messages"), "another sender still gets in");
        a.logout();
        b.logout();
        c.logout();
    }

    /**
     * A conversation has one waiting fetch at a time: a second one sent meanwhile (the protocol forbids it) is
     * answered at once, as if woken, instead of piling up another waiting request; the first still waits for its mail.
     */
    @Test
    void aSecondWaitingFetchOfOneConversationIsAnsweredAtOnce() throws Exception {
        User alice = register("alice");
        User bob = register("bob");
        OsmsClient.Session a = login(alice);
        OsmsClient.Session b = login(bob);
        List<String> first = b.encrypt(Json.createObjectBuilder().add("command", "fetch").add("wait", 30)
                .add("seq", 1).build().toString());
        List<String> second = b.encrypt(Json.createObjectBuilder().add("command", "fetch").add("wait", 30)
                .add("seq", 2).build().toString());
        CompletableFuture<JsonObject> waiting =
                CompletableFuture.supplyAsync(() -> b.postRaw("session", first.get(first.size() - 1)));
        Thread.sleep(2_000);
        assertFalse(waiting.isDone(), "the first fetch waits");

        long t0 = System.nanoTime();
        JsonObject secondAnswer = b.postRaw("session", second.get(second.size() - 1));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 10_000, "the second fetch was answered after " + ms + " ms, not at once");
        assertFalse(waiting.isDone(), "the first fetch still waits");

        a.sendTo(bob.name().value(), "?OTRv3?");
        JsonObject firstAnswer = waiting.get(5, TimeUnit.SECONDS);
        JsonObject secondReply = b.reply(secondAnswer); // encrypted first, so read first
        assertEquals(2, secondReply.getInt("seq"));
        assertTrue(secondReply.getBoolean("ok"), secondReply.toString());
        assertEquals(0, secondReply.getJsonArray("messages").size());
        JsonObject firstReply = b.reply(firstAnswer);
        assertEquals(1, firstReply.getInt("seq"));
        assertEquals("?OTRv3?", firstReply.getJsonArray("messages").getJsonObject(0).getString("body"));
        a.logout();
        b.logout();
    }

    @Test
    void aWaitingFetchIsAnsweredWithin100MillisecondsOfTheSend() throws Exception {
        User alice = register("alice");
        User bob = register("bob");
        OsmsClient.Session a = login(alice);
        OsmsClient.Session b = login(bob);
        long started = System.nanoTime();
        CompletableFuture<JsonObject> fetch = CompletableFuture.supplyAsync(() -> b.fetch(0, 10, 20));
        // (this test deployment has its own beans: the application's notifier cannot be asked; give it time)
        Thread.sleep(2_000);
        assertFalse(fetch.isDone(), "the fetch is waiting");
        a.sendTo(bob.name().value(), "?OTRv3?");
        long sent = System.nanoTime();
        JsonObject page = fetch.get(5, TimeUnit.SECONDS);
        long arrived = System.nanoTime();
        assertEquals("?OTRv3?", page.getJsonArray("messages").getJsonObject(0).getString("body"));
        long ms = TimeUnit.NANOSECONDS.toMillis(arrived - sent);
        assertTrue(ms < 100, "answered " + ms + " ms after the send");
        assertTrue(TimeUnit.NANOSECONDS.toMillis(arrived - started) < 20_000, "woken, not timed out");

        // with nothing arriving, the fetch answers empty once its wait is over, and the conversation goes on
        long t0 = System.nanoTime();
        assertEquals(0, b.fetch(page.getJsonArray("messages").getJsonObject(0).getJsonNumber("id").longValue(),
                10, 1).getJsonArray("messages").size());
        assertTrue(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0) >= 900);
        assertEquals(alice.name().value(), b.command(Json.createObjectBuilder().add("command", "block")
                .add("username", alice.name().value()).build()).getString("username"));
        a.logout();
        b.logout();
    }

    @Test
    void aNewIdentityHasItsEmptyMailboxFromItsRegistration() throws SQLException {
        User dora = register("dora");
        long id = identityId(dora);
        try (Connection conn = db.getConnection()) {
            assertEquals(List.of(Map.of("c1", 1L, "c2", 0L, "c3", 0L)), rows(conn,
                    "SELECT next_seq, message_count, byte_count FROM mailbox WHERE identity_id = ?", id),
                    "stored with the identity, before anything was sent to it");
        }
        OsmsClient.Session d = login(dora);
        JsonObject mailbox = d.export().getJsonObject("mailbox");
        assertEquals(Map.of("c1", 1L, "c2", 0L, "c3", 0L), map(mailbox, "nextId", "messages", "bytes"),
                "the export shows it too");

        User eve = register("eve");
        OsmsClient.Session e = login(eve);
        e.sendTo(dora.name().value(), "?OTRv3?");
        JsonArray first = d.fetch(0, 100, 0).getJsonArray("messages");
        assertEquals(1, first.size());
        assertEquals(1, first.getJsonObject(0).getJsonNumber("id").longValue(), "the first message is number 1");
        d.logout();
        e.logout();
    }

    @Test
    void exportHoldsEveryRowOfTheCallerAndNothingOfAnyoneElse() throws SQLException {
        User alice = register("alice");
        User bob = register("bob");
        User carol = register("carol");
        OsmsClient.Session a = login(alice);
        Username renamed = Deployments.freshUsername("alice2");
        a.command(Json.createObjectBuilder().add("command", "rename").add("username", renamed.value()).build());
        a.block(carol.name().value());
        OsmsClient.Session b = login(bob);
        b.sendTo(renamed.value(), "?OTRv3?");
        b.sendTo(renamed.value(), fakeDataMessage(300));
        OsmsClient.Session c = login(carol);
        c.sendTo(bob.name().value(), "?OTRv3?"); // someone else's mail: must not appear
        JsonObject export = a.export();
        long id = identityId(alice);

        try (Connection conn = db.getConnection()) {
            JsonObject identity = export.getJsonObject("identity");
            Map<String, Object> row = rows(conn, "SELECT id, username, status, fingerprint, public_key, created_at "
                    + "FROM identity WHERE id = ?", id).get(0);
            assertEquals(row.get("ID"), identity.getJsonNumber("identityId").longValue());
            assertEquals(row.get("USERNAME"), identity.getString("username"));
            assertEquals(((String) row.get("STATUS")).toLowerCase(), identity.getString("status"));
            assertEquals(row.get("FINGERPRINT"), identity.getString("fingerprint"));
            assertEquals(row.get("PUBLIC_KEY"), identity.getString("publicKey")); // rows() gives bytes as base64
            assertEquals(row.get("CREATED_AT"), identity.getJsonNumber("createdAt").longValue());

            assertEquals(rows(conn, "SELECT username, claimed_at FROM username_claim WHERE identity_id = ? "
                    + "ORDER BY claimed_at, username", id), list(export.getJsonArray("usernames"),
                    "username", "claimedAt"));
            assertEquals(rows(conn, "SELECT fingerprint, claimed_at FROM key_claim WHERE identity_id = ? "
                    + "ORDER BY claimed_at, fingerprint", id), list(export.getJsonArray("keys"),
                    "fingerprint", "claimedAt"));
            List<Map<String, Object>> audit = rows(conn, "SELECT seq, recorded_at, identity_id, event, username_before, "
                    + "username_after, fingerprint_before, fingerprint_after, public_key_before, public_key_after, "
                    + "prev_hash, entry_hash FROM audit_entry WHERE identity_id = ? ORDER BY seq", id);
            assertEquals(audit, list(export.getJsonArray("audit"), "seq", "recordedAt", "identityId", "event",
                    "usernameBefore", "usernameAfter", "fingerprintBefore", "fingerprintAfter", "publicKeyBefore",
                    "publicKeyAfter", "prevHash", "hash"));
            assertEquals(2, audit.size(), "registered and renamed");
            assertEquals(rows(conn, "SELECT blocked_id, blocked_at FROM mailbox_block WHERE owner_id = ?", id),
                    list(export.getJsonArray("blocked"), "identityId", "blockedAt"));
            assertEquals(rows(conn, "SELECT next_seq, message_count, byte_count FROM mailbox WHERE identity_id = ?",
                    id), List.of(map(export.getJsonObject("mailbox"), "nextId", "messages", "bytes")));
            assertEquals(rows(conn, "SELECT seq, sender_username, sender_id, sender_fingerprint, received_at, body "
                    + "FROM mailbox_message WHERE recipient_id = ? ORDER BY seq", id),
                    list(export.getJsonArray("messages"), "id", "from", "fromIdentityId", "fingerprint",
                            "receivedAt", "body"));
            assertEquals(2, export.getJsonArray("messages").size());
        }
        assertEquals(2, export.getJsonObject("usage").getInt("messages"));
        assertTrue(export.containsKey("limits"));
        // nothing of anyone else: carol's mail to bob, bob's and carol's keys. Bob's fingerprint is there, rightly:
        // it is the sender metadata of alice's own waiting messages (the key bob's login proved), compared above.
        String text = export.toString();
        for (String foreign : List.of(
                Base64.getEncoder().encodeToString(OtrPublicKey.of(bob.key().getPublic()).serialized()),
                OtrPublicKey.of(carol.key().getPublic()).fingerprint().hex(),
                Base64.getEncoder().encodeToString(OtrPublicKey.of(carol.key().getPublic()).serialized()))) {
            assertFalse(text.contains(foreign), "the export holds another user's key");
        }
        a.logout();
        b.logout();
        c.logout();
    }

    /**
     * Eight messages of 16,000 characters (128,000 in all) and a few audit entries: each page of the export stays one
     * reply the client accepts, and following the cursors gives every message and entry once, in order. Pages of 50
     * messages by count alone made the first reply eight times what the client takes: such a user could not download
     * their data at all. {@code fetch} pages them by the same rule, choosing them by their stored lengths.
     */
    @Test
    void anExportOrFetchOfLargeMessagesComesInPagesThatEachFitOneReply() throws SQLException {
        User alice = register("alice");
        User bob = register("bob");
        OsmsClient.Session a = login(alice);
        Username current = alice.name();
        for (int i = 0; i < 3; i++) {
            current = Deployments.freshUsername("alice");
            a.command(Json.createObjectBuilder().add("command", "rename").add("username", current.value()).build());
        }
        // four senders: one sender may fill only a quarter of a mailbox's bytes
        List<OsmsClient.Session> senders = List.of(login(bob), login(register("carol")), login(register("dave")),
                login(register("erin")));
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            bodies.add(fakeDataMessage(16_000 + 4 * i));
            senders.get(i % senders.size()).sendTo(current.value(), bodies.get(i));
        }

        JsonObject first = a.command(Json.createObjectBuilder().add("command", "export").build());
        assertEquals(4, first.getJsonArray("audit").size(), "the audit entries come first: they are small");
        assertFalse(first.containsKey("auditNextAfter"));
        int onFirst = first.getJsonArray("messages").size();
        assertTrue(onFirst < 8, "not every message fits one reply: " + onFirst);
        assertEquals(onFirst == 0 ? 0 : first.getJsonArray("messages").getJsonObject(onFirst - 1)
                .getJsonNumber("id").longValue(), first.getJsonNumber("messagesNextAfter").longValue());

        JsonObject export = a.export(); // every page; the client refuses any reply longer than one OTR message
        List<String> exported = export.getJsonArray("messages").getValuesAs(JsonObject.class).stream()
                .map(m -> m.getString("body")).toList();
        assertEquals(bodies, exported);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), export.getJsonArray("messages")
                .getValuesAs(JsonObject.class).stream().map(m -> m.getJsonNumber("id").longValue()).toList());
        assertEquals(List.of("registered", "renamed", "renamed", "renamed"), export.getJsonArray("audit")
                .getValuesAs(JsonObject.class).stream().map(e -> e.getString("event")).toList());
        assertEquals(8, export.getJsonObject("usage").getInt("messages"), "exporting acknowledges nothing");

        // fetch pages them the same way: two such messages fit into one reply's 45,000 characters, three do not
        List<String> fetched = new ArrayList<>();
        long after = 0;
        for (int page = 1; page <= 4; page++) {
            JsonObject p = a.fetch(after, 100, 0);
            List<JsonObject> ms = p.getJsonArray("messages").getValuesAs(JsonObject.class);
            assertEquals(List.of(2L * page - 1, 2L * page), ms.stream().map(m -> m.getJsonNumber("id").longValue())
                    .toList(), "page " + page);
            ms.forEach(m -> fetched.add(m.getString("body")));
            after = 2L * page;
            assertEquals(page < 4, p.containsKey("nextAfter"), "page " + page + ": " + p.keySet());
            if (page < 4) {
                assertEquals(after, p.getJsonNumber("nextAfter").longValue());
            }
        }
        assertEquals(bodies, fetched);
        assertEquals(List.of(1L), a.fetch(0, 1, 0).getJsonArray("messages").getValuesAs(JsonObject.class).stream()
                .map(m -> m.getJsonNumber("id").longValue()).toList(), "the limit still counts");
        a.logout();
        senders.forEach(OsmsClient.Session::logout);
    }

    /**
     * Every cursor, limit and wait of the paged commands outside its range, or not an integer, is refused {@code
     * bad_command} and does nothing: a negative cursor or one past a long must not reach a query, and a refused
     * {@code fetch} must not acknowledge or hide anything.
     */
    @Test
    void everyCursorLimitAndWaitOutsideItsRangeIsRefusedAndDoesNothing() {
        User alice = register("alice");
        User bob = register("bob");
        OsmsClient.Session a = login(alice);
        OsmsClient.Session b = login(bob);
        String body = fakeDataMessage(100);
        a.sendTo(bob.name().value(), body);
        a.block(register("carol").name().value());
        java.math.BigInteger pastLong = java.math.BigInteger.ONE.shiftLeft(63);
        Map<String, List<String>> members = Map.of(
                "fetch", List.of("after", "limit", "wait"),
                "blocked", List.of("after"),
                "export", List.of("usernamesAfter", "keysAfter", "blockedAfter", "auditAfter", "messagesAfter"));
        for (Map.Entry<String, List<String>> command : members.entrySet()) {
            OsmsClient.Session s = command.getKey().equals("blocked") ? a : b;
            for (String member : command.getValue()) {
                List<jakarta.json.JsonValue> wrong = new ArrayList<>(List.of(Json.createValue(-1),
                        Json.createValue(pastLong), Json.createValue("1"), Json.createValue(1.5)));
                if (member.equals("limit")) {
                    wrong.add(Json.createValue(0));
                    wrong.add(Json.createValue(101));
                }
                if (member.equals("wait")) {
                    wrong.add(Json.createValue(61));
                }
                for (jakarta.json.JsonValue v : wrong) {
                    JsonObject reply = s.sendCommand(Json.createObjectBuilder().add("command", command.getKey())
                            .add(member, v).build());
                    assertFalse(reply.getBoolean("ok"), command + " " + member + "=" + v + ": " + reply);
                    assertEquals("bad_command", reply.getString("error"), command + " " + member + "=" + v);
                    assertEquals(java.util.Set.of("seq", "ok", "error", "message"), reply.keySet(), reply.toString());
                }
            }
        }
        JsonObject page = b.fetch(0, 100, 0);
        assertEquals(List.of(body), page.getJsonArray("messages").getValuesAs(JsonObject.class).stream()
                .map(m -> m.getString("body")).toList(), "the message is still there, once");
        assertEquals(1, b.quota().getJsonObject("usage").getInt("messages"));
        assertEquals(1, a.blocked().getJsonArray("blocked").size());
        a.logout();
        b.logout();
    }

    /**
     * A block list of 601 entries and 700 usernames and keys held (written into the tables directly: that many blocks
     * would take as many registrations), with times that tie: {@code blocked} and {@code export} come in pages that
     * each fit one reply, and following the cursors gives every row once, in order. Sent whole, these lists made a
     * reply the client refused, so such a user could neither list their blocks nor download their data.
     */
    @Test
    void aLongBlockListAndLongHistoriesComeInPagesThatEachFitOneReply() throws SQLException {
        User alice = register("alice");
        User bob = register("bob");
        OsmsClient.Session a = login(alice);
        a.block(bob.name().value());
        long id = identityId(alice);
        long now = System.currentTimeMillis();
        try (Connection conn = db.getConnection();
             PreparedStatement blocks = conn.prepareStatement(
                     "INSERT INTO mailbox_block (owner_id, blocked_id, blocked_at) VALUES (?, ?, ?)");
             PreparedStatement names = conn.prepareStatement(
                     "INSERT INTO username_claim (username, identity_id, claimed_at) VALUES (?, ?, ?)");
             PreparedStatement keys = conn.prepareStatement(
                     "INSERT INTO key_claim (fingerprint, identity_id, claimed_at) VALUES (?, ?, ?)")) {
            java.security.SecureRandom random = new java.security.SecureRandom();
            for (int i = 0; i < 700; i++) {
                if (i < 600) {
                    blocks.setLong(1, id);
                    blocks.setLong(2, 1L + random.nextLong(1L << 52)); // identities of no one: no name to show
                    blocks.setLong(3, now - 600_000 + i / 3 * 1_000); // three blocks in each millisecond
                    blocks.addBatch();
                }
                names.setString(1, Deployments.freshUsername("n").value());
                names.setLong(2, id);
                names.setLong(3, now - 700_000 + i / 2 * 1_000);
                names.addBatch();
                byte[] fingerprint = new byte[20];
                random.nextBytes(fingerprint);
                keys.setString(1, java.util.HexFormat.of().formatHex(fingerprint));
                keys.setLong(2, id);
                keys.setLong(3, now - 700_000 + i / 2 * 1_000);
                keys.addBatch();
            }
            blocks.executeBatch();
            names.executeBatch();
            keys.executeBatch();
        }

        JsonObject firstBlocked = a.blockedAfter(0);
        assertEquals(198, firstBlocked.getJsonArray("blocked").size(),
                "200 at most, ending before a millisecond it cannot hold whole");
        assertEquals(firstBlocked.getJsonArray("blocked").getJsonObject(197).getJsonNumber("blockedAt").longValue(),
                firstBlocked.getJsonNumber("nextAfter").longValue());
        JsonObject firstExport = a.command(Json.createObjectBuilder().add("command", "export").build());
        assertTrue(firstExport.containsKey("usernamesNextAfter"), "not all usernames fit the first page");
        assertFalse(firstExport.containsKey("auditNextAfter"));

        JsonArray blocked = a.blocked().getJsonArray("blocked"); // every page
        JsonObject export = a.export(); // every page; the client refuses any reply longer than one OTR message
        try (Connection conn = db.getConnection()) {
            List<Map<String, Object>> blockRows = rows(conn, "SELECT blocked_id, blocked_at FROM mailbox_block "
                    + "WHERE owner_id = ? ORDER BY blocked_at, blocked_id", id);
            assertEquals(601, blockRows.size());
            assertEquals(blockRows, list(blocked, "identityId", "blockedAt"));
            assertEquals(blockRows, list(export.getJsonArray("blocked"), "identityId", "blockedAt"));
            assertEquals(rows(conn, "SELECT username, claimed_at FROM username_claim WHERE identity_id = ? "
                    + "ORDER BY claimed_at, username", id), list(export.getJsonArray("usernames"),
                    "username", "claimedAt"));
            assertEquals(701, export.getJsonArray("usernames").size());
            assertEquals(rows(conn, "SELECT fingerprint, claimed_at FROM key_claim WHERE identity_id = ? "
                    + "ORDER BY claimed_at, fingerprint", id), list(export.getJsonArray("keys"),
                    "fingerprint", "claimedAt"));
            assertEquals(701, export.getJsonArray("keys").size());
        }
        // the one real identity among them is shown by its current name; the others have none
        List<JsonObject> named = blocked.getValuesAs(JsonObject.class).stream()
                .filter(b -> b.containsKey("username")).toList();
        assertEquals(1, named.size());
        assertEquals(bob.name().value(), named.get(0).getString("username"));
        assertEquals(identityId(bob), named.get(0).getJsonNumber("identityId").longValue());
        assertEquals(1, export.getJsonArray("audit").size(), "registered");
        a.logout();
    }

    @Test
    void unacknowledgedMessagesExpireAfterTheRetention() throws SQLException {
        User alice = register("alice");
        User bob = register("bob");
        OsmsClient.Session a = login(alice);
        a.sendTo(bob.name().value(), "?OTRv3?");
        a.logout();
        long received = ((Number) rows(db, "SELECT received_at FROM mailbox_message WHERE recipient_id = ?",
                identityId(bob)).get(0).get("c1")).longValue();
        mailboxes.expire(received);
        assertEquals(1, count("SELECT COUNT(*) FROM mailbox_message WHERE recipient_id = ?", identityId(bob)),
                "not older than the cutoff: kept");
        mailboxes.expire(received + 1);
        assertEquals(0, count("SELECT COUNT(*) FROM mailbox_message WHERE recipient_id = ?", identityId(bob)));
        OsmsClient.Session b = login(bob);
        assertEquals(0, b.quota().getJsonObject("usage").getInt("messages"), "the counters follow");
        b.logout();
    }

    // ---- helpers

    /** A command's answer without its sequence number, to compare it with another's. */
    private static JsonObject withoutSeq(JsonObject answer) {
        return Json.createObjectBuilder(answer).remove("seq").build();
    }

    private static OsmsException refused(OsmsClient.Session s, String to, String body) {
        return assertThrows(OsmsException.class, () -> s.sendTo(to, body));
    }

    /** An OTR v3 data message envelope with random content: the server only reads the envelope. */
    private static String fakeDataMessage(int length) {
        byte[] raw = new byte[(length - 6) * 3 / 4];
        new java.util.Random(length).nextBytes(raw);
        raw[0] = 0;
        raw[1] = 3;
        raw[2] = 3;
        return "?OTR:" + Base64.getEncoder().encodeToString(raw) + ".";
    }

    private long identityId(User u) throws SQLException {
        try (Connection c = db.getConnection();
             PreparedStatement p = c.prepareStatement("SELECT identity_id FROM key_claim WHERE fingerprint = ?")) {
            p.setString(1, OtrPublicKey.of(u.key().getPublic()).fingerprint().hex());
            try (ResultSet r = p.executeQuery()) {
                assertTrue(r.next());
                return r.getLong(1);
            }
        }
    }

    private long count(String sql, long... args) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement p = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                p.setLong(i + 1, args[i]);
            }
            try (ResultSet r = p.executeQuery()) {
                r.next();
                return r.getLong(1);
            }
        }
    }

    private static List<Map<String, Object>> rows(DataSource db, String sql, long id) throws SQLException {
        try (Connection c = db.getConnection()) {
            return rows(c, sql, id);
        }
    }

    /** Rows as maps of upper-case column name to a comparable value (numbers as Long, bytes as base64). */
    private static List<Map<String, Object>> rows(Connection c, String sql, long id) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (PreparedStatement p = c.prepareStatement(sql)) {
            p.setLong(1, id);
            try (ResultSet r = p.executeQuery()) {
                ResultSetMetaData md = r.getMetaData();
                while (r.next()) {
                    Map<String, Object> row = new HashMap<>();
                    for (int i = 1; i <= md.getColumnCount(); i++) {
                        Object v = r.getObject(i);
                        if (v instanceof byte[] b) {
                            v = Base64.getEncoder().encodeToString(b);
                        } else if (v instanceof Number n) {
                            v = n.longValue();
                        } else if (v instanceof String s) {
                            v = s.strip();
                        }
                        row.put(md.getColumnLabel(i).toUpperCase(), v);
                    }
                    out.add(normalised(row, md));
                }
            }
        }
        return out;
    }

    /** Column order as selected, so a row compares to a JSON object read in the same order. */
    private static Map<String, Object> normalised(Map<String, Object> row, ResultSetMetaData md) throws SQLException {
        Map<String, Object> ordered = new java.util.LinkedHashMap<>();
        for (int i = 1; i <= md.getColumnCount(); i++) {
            ordered.put("c" + i, row.get(md.getColumnLabel(i).toUpperCase()));
        }
        if (md.getColumnCount() > 0 && row.containsKey("ID")) {
            // the identity row is read by name in the export test
            ordered.putAll(row);
        }
        return ordered;
    }

    /** JSON objects as rows: the members named, in order, as c1, c2 ... (absent members as null). */
    private static List<Map<String, Object>> list(JsonArray a, String... members) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (JsonValue v : a) {
            out.add(map(v.asJsonObject(), members));
        }
        return out;
    }

    private static Map<String, Object> map(JsonObject o, String... members) {
        Map<String, Object> row = new java.util.LinkedHashMap<>();
        for (int i = 0; i < members.length; i++) {
            JsonValue v = o.get(members[i]);
            Object value = v == null || v == JsonValue.NULL ? null
                    : v.getValueType() == JsonValue.ValueType.NUMBER ? (Object) o.getJsonNumber(members[i]).longValue()
                    : o.getString(members[i]);
            row.put("c" + (i + 1), value);
        }
        return row;
    }

    /** Every column of every row of every table, as text and as bytes: none may hold any of the plaintexts. */
    private void assertNoTableHolds(List<String> plaintexts) throws SQLException {
        int tables = 0;
        try (Connection c = db.getConnection()) {
            DatabaseMetaData md = c.getMetaData();
            List<String> names = new ArrayList<>();
            try (ResultSet t = md.getTables(null, null, "%", new String[] {"TABLE"})) {
                while (t.next()) {
                    String schema = t.getString("TABLE_SCHEM");
                    if (schema != null && (schema.equalsIgnoreCase("INFORMATION_SCHEMA")
                            || schema.equalsIgnoreCase("pg_catalog"))) {
                        continue;
                    }
                    names.add((schema == null ? "" : "\"" + schema + "\".") + "\"" + t.getString("TABLE_NAME") + "\"");
                }
            }
            for (String table : names) {
                try (Statement s = c.createStatement(); ResultSet r = s.executeQuery("SELECT * FROM " + table)) {
                    tables++;
                    ResultSetMetaData columns = r.getMetaData();
                    while (r.next()) {
                        for (int i = 1; i <= columns.getColumnCount(); i++) {
                            int type = columns.getColumnType(i);
                            boolean binary = type == java.sql.Types.BINARY || type == java.sql.Types.VARBINARY
                                    || type == java.sql.Types.LONGVARBINARY || type == java.sql.Types.BLOB;
                            byte[] bytes = binary ? r.getBytes(i) : null;
                            String asText = bytes == null ? "" : new String(bytes, StandardCharsets.ISO_8859_1)
                                    + new String(bytes, StandardCharsets.UTF_8);
                            String value = r.getString(i);
                            for (String p : plaintexts) {
                                assertFalse(asText.contains(p) || (value != null && value.contains(p)),
                                        table + " holds a plaintext");
                            }
                        }
                    }
                } catch (SQLException noAccess) {
                    // a table the application's account may not read is not the application's to fill
                    if (table.toLowerCase().contains("mailbox") || table.toLowerCase().contains("identity")
                            || table.toLowerCase().contains("audit")) {
                        throw noAccess;
                    }
                }
            }
        }
        assertTrue(tables >= 9, "scanned " + tables + " tables");
    }
}
