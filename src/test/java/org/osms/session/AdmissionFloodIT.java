package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.client.OsmsException;
import org.osms.it.Http;
import org.osms.protocol.AdmissionPuzzle;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/**
 * One client floods the server over loopback, as in the attack that locked everyone out (issue: 20 threads
 * re-opening half-open handshakes and 3 completing registration conversations that never register), but it solves
 * every puzzle it is given, as a determined attacker would. Meanwhile the reference client logs in again and again:
 * at least 90% of its logins must succeed, and registration works again as soon as the flood stops.
 */
class AdmissionFloodIT {
    private static final int HALF_OPEN_LOGIN_THREADS = 16;
    private static final int HALF_OPEN_REGISTRATION_THREADS = 4;
    private static final int UNFINISHED_REGISTRATION_THREADS = 3;
    private static final Duration WARM_UP = Duration.ofSeconds(5);
    /** Logins measured during the flood; the flood lasts until they are done, or at most {@link #MEASURED}. */
    private static final int LOGINS = 10;
    private static final Duration MEASURED = Duration.ofSeconds(240);

    private final Http http = Http.fromSystemProperty();
    private final OsmsClient client = new OsmsClient(URI.create(http.base()));
    private final OtrPublicKey serverKey = client.serverKey();
    private final HttpClient attackerHttp = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final int maxHandshakes = Integer.parseInt(System.getProperty("osms.it.maxHandshakes", "100"));

    private static Username fresh(String prefix) {
        return Username.of(prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    @Test
    void theReferenceClientLogsInDuringAFloodOfHalfOpenHandshakesAndUnfinishedRegistrations() throws Exception {
        Username name = fresh("floodvictim");
        KeyPair key = KeyStoreFiles.generate();
        client.register(name, key, serverKey).logout();

        AtomicBoolean stop = new AtomicBoolean();
        AtomicLong halfOpen = new AtomicLong();
        AtomicLong unfinishedRegistrations = new AtomicLong();
        ExecutorService flood = Executors.newFixedThreadPool(
                HALF_OPEN_LOGIN_THREADS + HALF_OPEN_REGISTRATION_THREADS + UNFINISHED_REGISTRATION_THREADS);
        for (int i = 0; i < HALF_OPEN_LOGIN_THREADS + HALF_OPEN_REGISTRATION_THREADS; i++) {
            boolean login = i < HALF_OPEN_LOGIN_THREADS;
            flood.execute(() -> {
                while (!stop.get()) {
                    if (openAndAbandon(login ? fresh("x") : null, stop)) {
                        halfOpen.incrementAndGet();
                    }
                }
            });
        }
        for (int i = 0; i < UNFINISHED_REGISTRATION_THREADS; i++) {
            flood.execute(() -> {
                OsmsClient attacker = new OsmsClient(URI.create(http.base()));
                KeyPair attackerKey = KeyStoreFiles.generate();
                while (!stop.get()) {
                    try {
                        attacker.registration(attackerKey, serverKey); // and never `register`
                        unfinishedRegistrations.incrementAndGet();
                    } catch (OsmsException displacedOrBusy) {
                        // the flood goes on
                    }
                }
            });
        }

        List<String> failures = Collections.synchronizedList(new ArrayList<>());
        int succeeded = 0;
        try {
            Thread.sleep(WARM_UP.toMillis());
            long floodAtStart = halfOpen.get();
            long end = System.nanoTime() + MEASURED.toNanos();
            while (succeeded + failures.size() < LOGINS && System.nanoTime() < end) {
                try {
                    OsmsClient.Session s = client.login(name, key, serverKey);
                    assertEquals(name.value(), s.command(jakarta.json.Json.createObjectBuilder()
                            .add("command", "whoami").build()).getString("username"));
                    s.logout();
                    succeeded++;
                } catch (OsmsException e) {
                    failures.add(e.status() + " " + e.code());
                }
            }
            assertTrue(halfOpen.get() - floodAtStart > maxHandshakes,
                    "the flood kept displacing handshakes while it was measured: " + (halfOpen.get() - floodAtStart));
        } finally {
            stop.set(true);
            flood.shutdown();
            if (!flood.awaitTermination(90, TimeUnit.SECONDS)) {
                flood.shutdownNow();
            }
        }
        int attempts = succeeded + failures.size();
        System.out.printf("flood: %d half-open handshakes, %d unfinished registrations; logins %d of %d succeeded; "
                        + "the reference client solved %d admission puzzles; failures %s%n", halfOpen.get(),
                unfinishedRegistrations.get(), succeeded, attempts, client.puzzlesSolved(), failures);
        assertTrue(attempts >= 5, "enough logins to measure: " + attempts);
        assertTrue(succeeded * 10 >= attempts * 9, succeeded + " of " + attempts + " logins; failures " + failures);
        assertTrue(client.puzzlesSolved() > 0, "the server defended itself with puzzles");
        assertTrue(unfinishedRegistrations.get() > 0, "the registration flood ran");

        // The registration conversations the flood left behind do not lock registration out for their idle timeout.
        Username newcomer = fresh("afterflood");
        OsmsClient.Session registered = client.register(newcomer, KeyStoreFiles.generate(), serverKey);
        assertEquals(200, http.get("/user/" + newcomer.value()).status());
        registered.logout();
    }

    /** One half-open handshake: the query message (with the puzzle when asked), then nothing. */
    private boolean openAndAbandon(Username claimed, AtomicBoolean stop) {
        String token = null;
        long counter = 0;
        for (int attempt = 0; attempt < 4 && !stop.get(); attempt++) {
            HttpRequest.Builder r = HttpRequest.newBuilder(URI.create(http.base() + "/create_session"))
                    .timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString("?OTRv3?"));
            if (claimed != null) {
                r.header(SessionResource.USERNAME_HEADER, claimed.value());
            }
            if (token != null) {
                r.header(AdmissionPuzzle.PUZZLE_HEADER, token).header(AdmissionPuzzle.COUNTER_HEADER,
                        Long.toString(counter));
            }
            HttpResponse<String> answer;
            try {
                answer = attackerHttp.send(r.build(), HttpResponse.BodyHandlers.ofString());
            } catch (Exception e) {
                return false;
            }
            if (answer.statusCode() == 200) {
                return true;
            }
            token = answer.headers().firstValue(AdmissionPuzzle.PUZZLE_HEADER).orElse(null);
            if (answer.statusCode() != 429 || token == null) {
                return false;
            }
            counter = AdmissionPuzzle.solve(token,
                    Integer.parseInt(answer.headers().firstValue(AdmissionPuzzle.BITS_HEADER).orElseThrow()),
                    stop::get);
        }
        return false;
    }
}
