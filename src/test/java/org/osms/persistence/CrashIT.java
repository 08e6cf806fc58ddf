package org.osms.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.client.OsmsException;
import org.osms.it.AuditPages;
import org.osms.it.Http;
import org.osms.it.LibertyServer;
import org.osms.protocol.AuditChain;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.SessionProofs;
import org.osms.protocol.Username;

/**
 * Nothing acknowledged is ever lost. The test server's JVM is killed with SIGKILL while reference clients register,
 * rename and rotate keys; after a restart every change that was answered ok is in the directory and in its identity's
 * history, and the whole audit chain verifies. Several rounds, on each database. Runs in its own failsafe execution
 * after RestartIT, because it kills the server the other tests use; it leaves the server running.
 */
class CrashIT {
    private static final int ROUNDS = 3;
    private static final int CLIENTS = 4;
    private static final int CLIENTS_SENDING = 10;
    private static final int RECIPIENTS = 20;
    private static final Duration READY = Duration.ofMinutes(15);

    private final Http http = Http.fromSystemProperty();
    private final LibertyServer server = new LibertyServer(System.getProperty("osms.it.serverName"));

    @Test
    void everyAcknowledgedChangeSurvivesASigkillUnderLoad() throws Exception {
        LibertyServer.awaitReady(http, READY);
        String serverKey = http.get("/pk").body();
        for (int round = 1; round <= ROUNDS; round++) {
            List<Identity> identities = loadUntilKilled();
            long acknowledged = identities.stream().mapToLong(i -> i.acknowledged.size()).sum();
            assertTrue(acknowledged >= CLIENTS, "round " + round + ": the load had changes answered ok before the"
                    + " kill (" + acknowledged + ")");

            server.command("start");
            LibertyServer.awaitReady(http, READY);

            assertEquals(serverKey, http.get("/pk").body(), "round " + round + ": the server key survives");
            AuditChain chain = AuditPages.verifyWholeLog(http, 500);
            assertTrue(chain.lastSeq() > 0, "round " + round + ": the audit chain verifies");
            for (Identity identity : identities) {
                identity.assertSurvived(http, "round " + round);
            }
        }
    }

    /**
     * Ten clients send to twenty recipients as fast as they can; the server is SIGKILLed in the middle. After the
     * restart every message whose {@code send} was answered ok is in its recipient's mailbox exactly once, and nothing
     * is there that no client sent (at most the one send per client in flight at the kill, which may have committed).
     */
    @Test
    void everySendAnsweredOkIsDeliveredExactlyOnceAfterASigkill() throws Exception {
        LibertyServer.awaitReady(http, READY);
        OsmsClient client = new OsmsClient(URI.create(http.base()));
        OtrPublicKey serverKey = client.serverKey();
        List<Account> recipients = new ArrayList<>();
        for (int i = 0; i < RECIPIENTS; i++) {
            recipients.add(Account.register(client, serverKey));
        }
        List<Sender> senders = new ArrayList<>();
        for (int i = 0; i < CLIENTS_SENDING; i++) {
            senders.add(new Sender(i, Account.register(client, serverKey), recipients));
        }

        AtomicBoolean killed = new AtomicBoolean();
        AtomicInteger answered = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> threads = new ArrayList<>();
        for (Sender sender : senders) {
            Thread t = new Thread(() -> sender.sendUntilKilled(client, serverKey, killed, answered, failures),
                    "crash-send-" + sender.index);
            threads.add(t);
            t.start();
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (answered.get() < 5 * CLIENTS_SENDING && System.nanoTime() < deadline && failures.isEmpty()) {
            Thread.sleep(50);
        }
        Thread.sleep(ThreadLocalRandom.current().nextLong(200, 1500)); // a random moment of the load
        ProcessHandle jvm = server.process();
        killed.set(true);
        assertTrue(jvm.destroyForcibly(), "SIGKILL sent to the server's JVM");
        jvm.onExit().get(60, TimeUnit.SECONDS);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(120));
        }
        server.command("start");
        LibertyServer.awaitReady(http, READY);
        assertTrue(failures.isEmpty(), "the senders ran without errors until the kill: " + failures);
        assertTrue(answered.get() >= 5 * CLIENTS_SENDING, "sends were answered ok before the kill: " + answered);

        Map<String, List<String>> delivered = new HashMap<>();
        for (Account r : recipients) {
            delivered.put(r.name.value(), r.fetchEverything(client, serverKey));
        }
        for (Sender sender : senders) {
            for (Sent sent : sender.acknowledged) {
                long copies = delivered.get(sent.to).stream().filter(sent.body::equals).count();
                assertEquals(1, copies, "a send answered ok (" + sent + ") is delivered exactly once");
            }
        }
        java.util.Set<String> sentOrInFlight = new java.util.HashSet<>();
        for (Sender sender : senders) {
            sender.acknowledged.forEach(m -> sentOrInFlight.add(m.body));
            if (sender.inFlight != null) {
                sentOrInFlight.add(sender.inFlight.body);
            }
        }
        for (Map.Entry<String, List<String>> mailbox : delivered.entrySet()) {
            assertEquals(mailbox.getValue().size(), new java.util.HashSet<>(mailbox.getValue()).size(),
                    "no message is delivered twice to " + mailbox.getKey());
            for (String body : mailbox.getValue()) {
                assertTrue(sentOrInFlight.contains(body), "only what a client sent is in a mailbox");
            }
        }
        AuditPages.verifyWholeLog(http, 500);
    }

    @Test
    void aCleanStopClosesTheEmbeddedDatabaseCleanly() throws Exception {
        Path file = Path.of(System.getProperty("osms.it.dataDir"), "db", "osms.mv.db");
        Assumptions.assumeTrue(Files.exists(file), "only the embedded database has a file to close");
        LibertyServer.awaitReady(http, READY);
        AuditChain before = AuditPages.verifyWholeLog(http, 500);

        server.command("stop");
        Map<String, String> header = storeHeader(file);
        assertEquals("1", header.get("clean"), "H2 marks a cleanly closed store in its header: " + header);

        server.command("start");
        LibertyServer.awaitReady(http, READY);
        AuditChain after = AuditPages.verifyWholeLog(http, 500);
        assertEquals(before.lastSeq(), after.lastSeq());
        assertTrue(Arrays.equals(before.lastHash(), after.lastHash()), "the same log after the clean restart");
    }

    /**
     * The MVStore file header (H2 2.x): the same {@code key:value,...} line in the file's first two 4 KiB blocks.
     * H2 writes {@code clean:1} into it when it closes the store, and removes it with the first write after opening.
     */
    private static Map<String, String> storeHeader(Path file) throws IOException {
        byte[] head = new byte[8192];
        try (var in = Files.newInputStream(file)) {
            assertEquals(head.length, in.readNBytes(head, 0, head.length), "the store has its two header blocks");
        }
        String first = headerLine(head, 0);
        assertEquals(first, headerLine(head, 4096), "both header copies agree");
        Map<String, String> fields = new HashMap<>();
        for (String field : first.split(",")) {
            int colon = field.indexOf(':');
            fields.put(field.substring(0, colon), field.substring(colon + 1));
        }
        return fields;
    }

    private static String headerLine(byte[] head, int offset) {
        int end = offset;
        while (end < offset + 4096 && head[end] != '\n' && head[end] != 0) {
            end++;
        }
        return new String(head, offset, end - offset, StandardCharsets.ISO_8859_1);
    }

    /** Runs the mixed load, SIGKILLs the server's JVM after a few seconds of it, and returns what each client saw. */
    private List<Identity> loadUntilKilled() throws Exception {
        OsmsClient client = new OsmsClient(URI.create(http.base()));
        OtrPublicKey serverKey = client.serverKey();
        ConcurrentLinkedQueue<Identity> identities = new ConcurrentLinkedQueue<>();
        AtomicBoolean killed = new AtomicBoolean();
        AtomicInteger answered = new AtomicInteger();
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        List<Thread> workers = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            Thread t = new Thread(() -> {
                while (!killed.get()) {
                    Identity identity = new Identity();
                    identities.add(identity);
                    if (!identity.live(client, serverKey, answered, killed, failures)) {
                        return;
                    }
                }
            }, "crash-load-" + i);
            workers.add(t);
            t.start();
        }
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
        while (answered.get() < 3 * CLIENTS && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        // a random moment of the load, not a quiet one
        Thread.sleep(ThreadLocalRandom.current().nextLong(1000, 5000));
        ProcessHandle jvm = server.process();
        killed.set(true);
        assertTrue(jvm.destroyForcibly(), "SIGKILL sent to the server's JVM");
        jvm.onExit().get(60, TimeUnit.SECONDS);
        for (Thread t : workers) {
            t.join(TimeUnit.SECONDS.toMillis(120));
        }
        if (!failures.isEmpty() || workers.stream().anyMatch(Thread::isAlive)) {
            server.command("start"); // leave the server running for the tests that follow
            fail("the load ran without errors until the kill, and every client ended after it: " + failures);
        }
        return new ArrayList<>(identities);
    }

    /** One identity of the load: the changes answered ok, in order, and the one in flight when the server died. */
    private static final class Identity {
        private final List<Change> acknowledged = new ArrayList<>();
        private Change inFlight;

        /** Registers, then renames and rotates keys a few times; false once this client should stop. */
        boolean live(OsmsClient client, OtrPublicKey serverKey, AtomicInteger answered, AtomicBoolean killed,
                     ConcurrentLinkedQueue<String> failures) {
            try {
                KeyPair key = KeyStoreFiles.generate();
                Username name = fresh();
                inFlight = new Change("registered", name.value(), OtrPublicKey.of(key.getPublic()));
                OsmsClient.Session s = client.register(name, key, serverKey);
                acknowledge(answered);
                for (int step = 0; step < 4; step++) {
                    Change last = acknowledged.get(acknowledged.size() - 1);
                    if (step % 2 == 0) {
                        Username renamed = fresh();
                        inFlight = new Change("renamed", renamed.value(), last.key);
                        s.command(Json.createObjectBuilder().add("command", "rename")
                                .add("username", renamed.value()).build());
                    } else {
                        KeyPair next = KeyStoreFiles.generate();
                        OtrPublicKey nextPublic = OtrPublicKey.of(next.getPublic());
                        inFlight = new Change("key_replaced", last.username, nextPublic);
                        s.command(Json.createObjectBuilder().add("command", "replace-key")
                                .add("publicKey", Base64.getEncoder().encodeToString(nextPublic.serialized()))
                                .add("signature", Base64.getEncoder().encodeToString(SessionProofs
                                        .signKeyReplacement(s.challenge(), nextPublic, next.getPrivate())))
                                .build());
                    }
                    acknowledge(answered);
                }
                s.logout();
                return true;
            } catch (OsmsException e) {
                // Unanswered (the kill, or a request that timed out on a loaded machine): whatever was in flight
                // may or may not have been committed, and nothing was promised. A refusal is a real failure.
                boolean unanswered = e.status() == 0 && e.code().equals("unreachable");
                if (!killed.get() && !unanswered) {
                    failures.add(inFlight + ": " + e.status() + " " + e.code() + " " + e.getMessage());
                }
                return !killed.get() && unanswered;
            } catch (RuntimeException e) {
                if (!killed.get()) {
                    failures.add(inFlight + ": " + e);
                }
                return false;
            }
        }

        private void acknowledge(AtomicInteger answered) {
            acknowledged.add(inFlight);
            inFlight = null;
            answered.incrementAndGet();
        }

        void assertSurvived(Http http, String round) {
            if (acknowledged.isEmpty()) {
                return; // its registration was never answered: nothing was promised
            }
            String name = acknowledged.get(acknowledged.size() - 1).username;
            Http.Answer history = http.get("/user/" + name + "/history?limit=1000");
            if (history.status() == 404 && inFlight != null && inFlight.event.equals("renamed")) {
                name = inFlight.username; // the rename in flight was committed before the kill
                history = http.get("/user/" + name + "/history?limit=1000");
            }
            assertEquals(200, history.status(), round + ": " + name + " (answered ok) is in the directory: "
                    + history.body());
            List<JsonValue> entries = history.json().getJsonArray("entries");
            List<Change> committed = new ArrayList<>(acknowledged);
            if (inFlight != null && entries.size() == acknowledged.size() + 1) {
                committed.add(inFlight); // committed, but the server died before its answer left
            }
            assertEquals(committed.size(), entries.size(), round + ": every change of " + name + " answered ok is"
                    + " in its history, and nothing else: " + history.body());
            for (int i = 0; i < committed.size(); i++) {
                Change c = committed.get(i);
                JsonObject e = entries.get(i).asJsonObject();
                String where = round + ": entry " + i + " of " + name;
                assertEquals(c.event, e.getString("event"), where);
                assertEquals(c.username, e.getString("usernameAfter"), where);
                assertEquals(c.key.fingerprint().hex(), e.getString("fingerprintAfter"), where);
            }
            Change last = committed.get(committed.size() - 1);
            JsonObject user = http.get("/user/" + last.username).json();
            assertEquals(last.username, user.getString("username"), round);
            assertEquals(last.key.fingerprint().hex(), user.getString("fingerprint"),
                    round + ": the directory publishes the last key of " + last.username);
        }

        private static Username fresh() {
            return Username.of("crash" + UUID.randomUUID().toString().replace("-", "").substring(0, 14));
        }
    }

    private record Change(String event, String username, OtrPublicKey key) {
    }

    /** A registered user of the messaging crash test. */
    private record Account(Username name, KeyPair key) {
        static Account register(OsmsClient client, OtrPublicKey serverKey) {
            Account a = new Account(Identity.fresh(), KeyStoreFiles.generate());
            client.register(a.name, a.key, serverKey).logout();
            return a;
        }

        /** Every body waiting in this account's mailbox, oldest first, following {@code nextAfter}. */
        List<String> fetchEverything(OsmsClient client, OtrPublicKey serverKey) {
            OsmsClient.Session s = client.login(name, key, serverKey);
            try {
                List<String> bodies = new ArrayList<>();
                long after = 0;
                while (true) {
                    JsonObject page = s.fetch(after, 100, 0);
                    for (JsonValue m : page.getJsonArray("messages")) {
                        bodies.add(m.asJsonObject().getString("body"));
                        after = m.asJsonObject().getJsonNumber("id").longValue();
                    }
                    if (!page.containsKey("nextAfter")) {
                        return bodies;
                    }
                    after = page.getJsonNumber("nextAfter").longValue();
                }
            } finally {
                s.logout();
            }
        }
    }

    private record Sent(String to, String body) {
        @Override
        public String toString() {
            return "to " + to + ", " + body.length() + " characters";
        }
    }

    /** One sending client: what it sent that was answered ok, and the one send in flight when the server died. */
    private static final class Sender {
        private final int index;
        private final Account account;
        private final List<Account> recipients;
        private final List<Sent> acknowledged = new ArrayList<>();
        private Sent inFlight;

        Sender(int index, Account account, List<Account> recipients) {
            this.index = index;
            this.account = account;
            this.recipients = recipients;
        }

        void sendUntilKilled(OsmsClient client, OtrPublicKey serverKey, AtomicBoolean killed, AtomicInteger answered,
                             ConcurrentLinkedQueue<String> failures) {
            try {
                OsmsClient.Session s = client.login(account.name, account.key, serverKey);
                java.util.Set<String> full = new java.util.HashSet<>();
                for (int n = 0; !killed.get(); n++) {
                    Account to = recipients.get((index + n) % recipients.size());
                    if (full.size() == recipients.size()) {
                        Thread.sleep(20); // every mailbox is full: wait for the kill
                        continue;
                    }
                    if (full.contains(to.name.value())) {
                        continue;
                    }
                    inFlight = new Sent(to.name.value(), uniqueDataMessage());
                    try {
                        s.sendTo(inFlight.to, inFlight.body);
                    } catch (OsmsException e) {
                        if (e.status() == 200 && e.code().equals("mailbox_full")) {
                            full.add(inFlight.to); // refused in the channel: nothing stored, nothing promised
                            inFlight = null;
                            continue;
                        }
                        throw e;
                    }
                    acknowledged.add(inFlight);
                    inFlight = null;
                    answered.incrementAndGet();
                }
            } catch (OsmsException e) {
                if (!killed.get()) {
                    failures.add("sender " + index + ": " + e.status() + " " + e.code() + " " + e.getMessage());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                if (!killed.get()) {
                    failures.add("sender " + index + ": " + e);
                }
            }
        }

        /** An OTR v3 data message envelope with random contents: opaque to the server, unique to this send. */
        private static String uniqueDataMessage() {
            byte[] raw = new byte[120];
            ThreadLocalRandom.current().nextBytes(raw);
            raw[0] = 0;
            raw[1] = 3;
            raw[2] = 3;
            return "?OTR:" + Base64.getEncoder().encodeToString(raw) + ".";
        }
    }
}
