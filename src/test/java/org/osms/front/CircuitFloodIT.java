package org.osms.front;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.client.OsmsException;
import org.osms.it.Http;
import org.osms.protocol.AdmissionPuzzle;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/**
 * One Tor circuit floods the service through its front (liberty/front, haproxy, reached as tor reaches it: each
 * connection opens with the circuit's PROXY header) with half-open handshakes and registration conversations that
 * never register, as in the attack that locked everyone out. Meanwhile users on other circuits log in: at least 90%
 * must succeed, and the flooding circuit itself is refused with {@code 429 circuit_busy} (docs/protocol.md,
 * "Admission"): it holds at most its share and cannot displace anyone else's conversations.
 */
class CircuitFloodIT {
    /**
     * Circuit ids of this run: tor's global ids are never reused while it runs, and a server that already saw this
     * test (another execution against the same server) still holds the last flood's conversations for a while.
     */
    private static final long FIRST_CIRCUIT = 0x10_0000 + new java.security.SecureRandom().nextInt(0x7000_0000);
    private static final int HALF_OPEN_LOGIN_THREADS = 16;
    private static final int HALF_OPEN_REGISTRATION_THREADS = 4;
    private static final int UNFINISHED_REGISTRATION_THREADS = 3;
    private static final Duration WARM_UP = Duration.ofSeconds(5);
    private static final int LOGINS = 10;
    private static final Duration MEASURED = Duration.ofSeconds(240);

    private final Http direct = Http.fromSystemProperty();
    private final OtrPublicKey serverKey = new OsmsClient(URI.create(direct.base())).serverKey();
    private final HttpClient attackerHttp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    Path dir;

    private static Username fresh(String prefix) {
        return Username.of(prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    @Test
    void usersOnOtherCircuitsLogInWhileOneCircuitFloodsAndTheFloodingCircuitIsRefused() throws Exception {
        try (Front front = Front.start(dir, URI.create(direct.base()).getPort())) {
            flood(front);
        }
    }

    private void flood(Front front) throws Exception {
        Front.Relay floodCircuit = front.relay(FIRST_CIRCUIT);
        long nextCircuit = FIRST_CIRCUIT + 1;
        Username name = fresh("circuitvictim");
        KeyPair key = KeyStoreFiles.generate();
        try (Front.Relay tor = front.relay(nextCircuit++)) {
            new OsmsClient(URI.create(tor.base())).register(name, key, serverKey).logout();
        }

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong opened = new AtomicLong();
        AtomicLong unfinishedRegistrations = new AtomicLong();
        LongAdder refusedByOsms = new LongAdder();
        Map<String, LongAdder> floodAnswers = new ConcurrentHashMap<>();
        ExecutorService flood = Executors.newFixedThreadPool(
                HALF_OPEN_LOGIN_THREADS + HALF_OPEN_REGISTRATION_THREADS + UNFINISHED_REGISTRATION_THREADS);
        // Registration conversations completed first (each takes a handshake), then the half-open flood around them
        for (int i = 0; i < UNFINISHED_REGISTRATION_THREADS; i++) {
            flood.execute(() -> {
                OsmsClient attacker = new OsmsClient(URI.create(floodCircuit.base()));
                KeyPair attackerKey = KeyStoreFiles.generate();
                while (!stop.get()) {
                    try {
                        attacker.registration(attackerKey, serverKey); // and never `register`
                        unfinishedRegistrations.incrementAndGet();
                    } catch (OsmsException refused) {
                        floodAnswers.computeIfAbsent("registration " + refused.status() + " " + refused.code(),
                                c -> new LongAdder()).increment();
                        sleepQuietly(20);
                    }
                }
            });
        }
        for (int i = 0; i < 100 && unfinishedRegistrations.get() == 0; i++) {
            Thread.sleep(100);
        }
        for (int i = 0; i < HALF_OPEN_LOGIN_THREADS + HALF_OPEN_REGISTRATION_THREADS; i++) {
            boolean login = i < HALF_OPEN_LOGIN_THREADS;
            flood.execute(() -> {
                while (!stop.get()) {
                    openAndAbandon(floodCircuit, login ? fresh("x") : null, stop, opened, refusedByOsms,
                            floodAnswers);
                }
            });
        }

        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        int succeeded = 0;
        try {
            Thread.sleep(WARM_UP.toMillis());
            long end = System.nanoTime() + MEASURED.toNanos();
            while (succeeded + failures.size() < LOGINS && System.nanoTime() < end) {
                try (Front.Relay tor = front.relay(nextCircuit++)) {
                    OsmsClient.Session s = new OsmsClient(URI.create(tor.base())).login(name, key, serverKey);
                    assertEquals(name.value(), s.command(Json.createObjectBuilder()
                            .add("command", "whoami").build()).getString("username"));
                    s.logout();
                    succeeded++;
                } catch (OsmsException e) {
                    failures.add(e.status() + " " + e.code());
                }
            }
        } finally {
            stop.set(true);
            flood.shutdown();
            if (!flood.awaitTermination(90, TimeUnit.SECONDS)) {
                flood.shutdownNow();
            }
        }
        int attempts = succeeded + failures.size();
        System.out.printf("circuit flood: %d conversations opened, %d unfinished registrations, %d refused by OSMS "
                        + "as over the circuit's share; the flood's answers %s; logins on other circuits %d of %d "
                        + "succeeded; failures %s%n", opened.get(), unfinishedRegistrations.get(),
                refusedByOsms.sum(), floodAnswers, succeeded, attempts, failures);
        assertTrue(attempts >= 5, "enough logins to measure: " + attempts);
        assertTrue(succeeded * 10 >= attempts * 9, succeeded + " of " + attempts + " logins; failures " + failures);
        assertTrue(refusedByOsms.sum() > 0, "OSMS refused the flooding circuit: " + floodAnswers);
        assertTrue(opened.get() > 0 && unfinishedRegistrations.get() > 0, "the flood ran: " + floodAnswers);
        for (String answer : floodAnswers.keySet()) {
            // a puzzle is asked for when the class is half full (other tests' leftovers); the flood solves it
            assertTrue(answer.equals("200") || answer.endsWith("429 circuit_busy")
                            || answer.equals("429 puzzle_required"),
                    "the flooding circuit is only ever admitted or refused as circuit_busy: " + floodAnswers);
        }

        // Right after the flood, a user on another circuit registers; the flooding circuit is still at its share
        Username newcomer = fresh("afterflood");
        try (Front.Relay tor = front.relay(nextCircuit)) {
            OsmsClient.Session registered = new OsmsClient(URI.create(tor.base()))
                    .register(newcomer, KeyStoreFiles.generate(), serverKey);
            assertEquals(200, direct.get("/user/" + newcomer.value()).status());
            registered.logout();
        }
        HttpResponse<String> still = attackerHttp.send(HttpRequest.newBuilder(
                URI.create(floodCircuit.base() + "/create_session")).timeout(Duration.ofSeconds(60))
                .POST(HttpRequest.BodyPublishers.ofString("?OTRv3?")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(429, still.statusCode(), still.body());
        assertEquals("circuit_busy", Json.createReader(new StringReader(still.body())).readObject().getString("error"));
        assertTrue(still.headers().firstValue("Retry-After").isPresent());
    }

    /** One half-open handshake: the query message (with the puzzle solved when asked), then nothing. */
    private void openAndAbandon(Front.Relay circuit, Username claimed, AtomicBoolean stop, AtomicLong opened,
                                LongAdder refusedByOsms, Map<String, LongAdder> answers) {
        String token = null;
        long counter = 0;
        for (int attempt = 0; attempt < 4 && !stop.get(); attempt++) {
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(circuit.base() + "/create_session"))
                    .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString("?OTRv3?"));
            if (claimed != null) {
                r.header("OSMS-Username", claimed.value());
            }
            if (token != null) {
                r.header(AdmissionPuzzle.PUZZLE_HEADER, token)
                        .header(AdmissionPuzzle.COUNTER_HEADER, Long.toString(counter));
            }
            HttpResponse<String> a;
            try {
                a = attackerHttp.send(r.build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                answers.computeIfAbsent(e.getClass().getSimpleName(), c -> new LongAdder()).increment();
                return;
            }
            String code = a.statusCode() == 200 ? "200" : a.statusCode() + " "
                    + Json.createReader(new StringReader(a.body())).readObject().getString("error");
            answers.computeIfAbsent(code, c -> new LongAdder()).increment();
            if (a.statusCode() == 200) {
                opened.incrementAndGet();
                return;
            }
            if (a.body().contains("holds its share")) {
                refusedByOsms.increment();
                sleepQuietly(20); // an attacker gains nothing by asking faster
                return;
            }
            token = a.headers().firstValue(AdmissionPuzzle.PUZZLE_HEADER).orElse(null);
            if (!code.equals("429 puzzle_required") || token == null) {
                return;
            }
            counter = AdmissionPuzzle.solve(token,
                    Integer.parseInt(a.headers().firstValue(AdmissionPuzzle.BITS_HEADER).orElseThrow()), stop::get);
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
