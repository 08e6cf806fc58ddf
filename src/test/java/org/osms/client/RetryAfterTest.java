package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osms.protocol.OtrPublicKey;

/**
 * The client waits out a short {@code Retry-After} of an answer that says the server did nothing with the request for
 * now ({@code 503 busy}, {@code 429 circuit_busy}) and sends the request again, a few times at most; any other
 * refusal, or a longer wait, is the user's error at once, with the wait in its message.
 */
class RetryAfterTest {
    private final HttpServer server;
    private final AtomicInteger requests = new AtomicInteger();
    private final List<Long> arrivals = new CopyOnWriteArrayList<>();
    /** The refusals to answer before the key, in order: status, Retry-After (or null), error code. */
    private volatile List<Object[]> refusals = List.of();
    private final OtrPublicKey key = OtrPublicKey.of(KeyStoreFiles.generate().getPublic());

    RetryAfterTest() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/pk", ex -> {
            int n = requests.getAndIncrement();
            arrivals.add(System.nanoTime());
            byte[] body;
            int status;
            if (n < refusals.size()) {
                Object[] r = refusals.get(n);
                status = (Integer) r[0];
                if (r[1] != null) {
                    ex.getResponseHeaders().add("Retry-After", (String) r[1]);
                }
                body = ("{\"error\":\"" + r[2] + "\",\"message\":\"Not now.\"}").getBytes(StandardCharsets.UTF_8);
            } else {
                status = 200;
                body = ("{\"publicKey\":\"" + Base64.getEncoder().encodeToString(key.serialized())
                        + "\",\"fingerprint\":\"" + key.fingerprint().hex() + "\",\"createdAt\":1}")
                        .getBytes(StandardCharsets.UTF_8);
            }
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private OsmsClient client() {
        return new OsmsClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
    }

    @Test
    void aBusyServerIsAskedAgainAfterItsRetryAfter() {
        refusals = List.<Object[]>of(new Object[] {503, "1", "busy"}, new Object[] {429, "1", "circuit_busy"});
        assertEquals(key, client().serverKey());
        assertEquals(3, requests.get());
        for (int i = 1; i < 3; i++) {
            long waited = (arrivals.get(i) - arrivals.get(i - 1)) / 1_000_000;
            assertTrue(waited >= 1000, "waited " + waited + " ms before asking again");
        }
    }

    @Test
    void afterTwoRetriesTheRefusalIsTheUsersWithItsWait() {
        refusals = List.<Object[]>of(new Object[] {503, "1", "busy"}, new Object[] {503, "1", "busy"},
                new Object[] {503, "1", "busy"}, new Object[] {503, "1", "busy"});
        OsmsException e = assertThrows(OsmsException.class, () -> client().serverKey());
        assertEquals("busy", e.code());
        assertEquals(503, e.status());
        assertEquals("Not now. Retry after 1 s.", e.getMessage());
        assertEquals(1 + OsmsClient.MAX_RETRIES, requests.get());
    }

    @Test
    void aLongerWaitIsNotWaitedOut() {
        refusals = List.<Object[]>of(new Object[] {503, "97", "busy"});
        long start = System.nanoTime();
        OsmsException e = assertThrows(OsmsException.class, () -> client().serverKey());
        assertTrue((System.nanoTime() - start) / 1_000_000 < 1000, "answered at once");
        assertEquals("Not now. Retry after 97 s.", e.getMessage());
        assertEquals(1, requests.get());
    }

    @Test
    void otherRefusalsAreNotSentAgainWhateverTheirRetryAfter() {
        refusals = List.<Object[]>of(new Object[] {429, "1", "puzzle_required"});
        assertEquals("puzzle_required", assertThrows(OsmsException.class, () -> client().serverKey()).code());
        assertEquals(1, requests.get());
        requests.set(0);
        refusals = List.<Object[]>of(new Object[] {500, "1", "busy"});
        assertEquals("busy", assertThrows(OsmsException.class, () -> client().serverKey()).code());
        assertEquals(1, requests.get());
        requests.set(0);
        refusals = List.<Object[]>of(new Object[] {503, null, "busy"});
        OsmsException noWait = assertThrows(OsmsException.class, () -> client().serverKey());
        assertEquals("Not now.", noWait.getMessage());
        assertEquals(1, requests.get());
    }
}
