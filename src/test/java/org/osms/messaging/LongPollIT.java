package org.osms.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.it.ClassHistogram;
import org.osms.it.Http;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/**
 * A thousand fetches waiting at once, over HTTP against the deployed server: each is woken by its own message, the
 * server does not spend a thread on each, and logins and lookups are answered meanwhile.
 */
class LongPollIT {
    /** 1000 by default; -Dosms.it.waiters=N for a quicker run on a loaded machine. */
    private static final int WAITERS = Integer.getInteger("osms.it.waiters", 1000);
    private static final int SENDERS = 4;

    private final Http http = Http.fromSystemProperty();
    private final OsmsClient client = new OsmsClient(URI.create(http.base()));
    private final OtrPublicKey serverKey = serverKeyOnceUp();

    /** A loaded machine may still be starting the application when this class runs first. */
    private OtrPublicKey serverKeyOnceUp() {
        long deadline = System.currentTimeMillis() + 180_000;
        while (true) {
            try {
                return client.serverKey();
            } catch (RuntimeException notYet) {
                if (System.currentTimeMillis() > deadline) {
                    throw notYet;
                }
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw notYet;
                }
            }
        }
    }

    private static Username fresh(String prefix) {
        return Username.of(prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    @Test
    void aThousandWaitingFetchesAreEachWokenByTheirMessageWhileLoginsGoOn() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WAITERS + 8);
        try {
            // registrations a few at a time: unfinished handshakes are capped
            ExecutorService registrations = Executors.newFixedThreadPool(8);
            List<Future<Registered>> registering = new ArrayList<>();
            for (int i = 0; i < WAITERS; i++) {
                registering.add(registrations.submit(() -> {
                    Username name = fresh("w");
                    return new Registered(name, client.register(name, KeyStoreFiles.generate(), serverKey));
                }));
            }
            List<Registered> waiters = new ArrayList<>();
            for (Future<Registered> f : registering) {
                waiters.add(f.get(10, TimeUnit.MINUTES));
            }
            registrations.shutdown();
            // four senders, each with its own conversation (a conversation carries one command at a time)
            List<Registered> senders = new ArrayList<>();
            for (int i = 0; i < SENDERS; i++) {
                Username name = fresh("sender");
                senders.add(new Registered(name, client.register(name, KeyStoreFiles.generate(), serverKey)));
            }

            int threadsBefore = serverThreads();
            List<Future<JsonObject>> fetches = new ArrayList<>();
            for (Registered w : waiters) {
                fetches.add(pool.submit(() -> w.session().fetch(0, 10, 60)));
            }
            Thread.sleep(5_000); // every fetch is sent and waiting (none can return: no mail yet)
            for (Future<JsonObject> f : fetches) {
                if (f.isDone()) {
                    String what;
                    try {
                        what = "answered " + f.get();
                    } catch (java.util.concurrent.ExecutionException e) {
                        what = "failed: " + e.getCause();
                    }
                    throw new AssertionError("a fetch finished before any mail was sent: " + what);
                }
            }
            int threadsWaiting = serverThreads();
            assertTrue(threadsWaiting - threadsBefore < 200, "server threads went from " + threadsBefore + " to "
                    + threadsWaiting + " with " + WAITERS + " fetches waiting");

            long t0 = System.nanoTime();
            Username late = fresh("late");
            KeyPair lateKey = KeyStoreFiles.generate();
            client.register(late, lateKey, serverKey).logout();
            client.login(late, lateKey, serverKey).logout();
            assertEquals(late.value(), client.user(late.value()).getString("username"));
            long loginMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            assertTrue(loginMillis < 10_000, "registration, login and lookup took " + loginMillis + " ms");

            List<Future<?>> sending = new ArrayList<>();
            for (int k = 0; k < SENDERS; k++) {
                Registered sender = senders.get(k);
                int first = k;
                sending.add(pool.submit(() -> {
                    for (int i = first; i < WAITERS; i += SENDERS) {
                        // the envelope is all the server reads
                        sender.session().sendTo(waiters.get(i).name().value(), "?OTRv3?");
                    }
                    return null;
                }));
            }
            for (Future<?> f : sending) {
                f.get(5, TimeUnit.MINUTES);
            }
            for (int i = 0; i < WAITERS; i++) {
                JsonArray got = fetches.get(i).get(60, TimeUnit.SECONDS).getJsonArray("messages");
                assertEquals(1, got.size(), "waiter " + i + " got exactly its message");
                assertEquals(senders.get(i % SENDERS).name().value(), got.getJsonObject(0).getString("from"));
            }
            for (Registered w : waiters) {
                w.session().logout();
            }
            for (Registered sender : senders) {
                sender.session().logout();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * A waiting fetch keeps what it will run again, not its request: sixteen fetches wait, each sent with an array
     * of 18,000 numbers that the command does not read (about 36 KB of plaintext, about 0.6 MB once parsed), and
     * while they wait the server's live heap (after a full GC) holds fewer parsed JSON numbers than one of those
     * arrays. Each is then woken by its second message and answers that one only: the wait kept its {@code after}.
     */
    @Test
    void aWaitingFetchHoldsItsArgumentsNotTheRestOfItsRequest() throws Exception {
        int waiters = 16;
        int padding = 18_000;
        ExecutorService pool = Executors.newFixedThreadPool(waiters);
        try {
            Username senderName = fresh("padsender");
            OsmsClient.Session sender = client.register(senderName, KeyStoreFiles.generate(), serverKey);
            List<Registered> registered = new ArrayList<>();
            List<Long> firstIds = new ArrayList<>();
            for (int i = 0; i < waiters; i++) {
                Username name = fresh("pad");
                Registered w = new Registered(name, client.register(name, KeyStoreFiles.generate(), serverKey));
                registered.add(w);
                sender.sendTo(name.value(), "?OTRv3?");
                JsonArray first = w.session().fetch(0, 10, 0).getJsonArray("messages");
                assertEquals(1, first.size());
                firstIds.add(first.getJsonObject(0).getJsonNumber("id").longValue());
            }
            jakarta.json.JsonArrayBuilder pad = org.osms.protocol.JsonDocuments.JSON.createArrayBuilder();
            for (int k = 0; k < padding; k++) {
                pad.add(0);
            }
            jakarta.json.JsonArray padArray = pad.build();
            List<Future<JsonObject>> fetches = new ArrayList<>();
            for (int i = 0; i < waiters; i++) {
                Registered w = registered.get(i);
                long after = firstIds.get(i);
                fetches.add(pool.submit(() -> w.session().command(org.osms.protocol.JsonDocuments.JSON
                        .createObjectBuilder().add("command", "fetch").add("after", after).add("wait", 60)
                        .add("padding", padArray).build())));
            }
            Thread.sleep(5_000); // every fetch is sent and waiting: nothing after its first message yet
            for (Future<JsonObject> f : fetches) {
                assertTrue(!f.isDone(), "a fetch finished before its second message was sent");
            }
            ClassHistogram histogram = ClassHistogram.of(serverPid());
            long deferred = histogram.instances("org.osms.session.Commands$Deferred"::equals);
            assertTrue(deferred >= waiters, "only " + deferred + " deferred commands wait in the server");
            long held = histogram.instances(name -> name.contains("JsonNumber"));
            assertTrue(held < padding, held + " parsed JSON numbers live while " + waiters + " fetches wait, each sent"
                    + " with " + padding + " of them");
            for (Future<JsonObject> f : fetches) {
                assertTrue(!f.isDone(), "a fetch finished before its second message was sent");
            }

            for (Registered w : registered) {
                sender.sendTo(w.name().value(), "?OTRv3?");
            }
            for (int i = 0; i < waiters; i++) {
                JsonArray got = fetches.get(i).get(60, TimeUnit.SECONDS).getJsonArray("messages");
                assertEquals(1, got.size(), "waiter " + i + " got its second message only");
                assertTrue(got.getJsonObject(0).getJsonNumber("id").longValue() > firstIds.get(i));
                registered.get(i).session().logout();
            }
            sender.logout();
        } finally {
            pool.shutdownNow();
        }
    }

    private record Registered(Username name, OsmsClient.Session session) {
    }

    /** The server process's thread count (Linux /proc), the server found by the pid file Liberty writes. */
    private static int serverThreads() throws IOException {
        String pid = serverPid();
        for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
            if (line.startsWith("Threads:")) {
                return Integer.parseInt(line.substring("Threads:".length()).strip());
            }
        }
        throw new IllegalStateException("no thread count for " + pid);
    }

    private static String serverPid() throws IOException {
        return Files.readString(Path.of("target/liberty/wlp/usr/servers/.pid", System.getProperty("osms.it.serverName")
                + ".pid")).strip();
    }
}
