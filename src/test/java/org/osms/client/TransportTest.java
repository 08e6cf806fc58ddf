package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The direct transport holds at most {@link Transport#MAX_BODY} of an answer, as the SOCKS transport does. */
class TransportTest {
    private HttpServer server;
    private final AtomicLong written = new AtomicLong();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/small", exchange -> {
            byte[] body = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/endless", exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked, no length announced
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) ' ');
            try (OutputStream out = exchange.getResponseBody()) {
                while (written.get() < 4L * Transport.MAX_BODY) {
                    out.write(chunk);
                    written.addAndGet(chunk.length);
                }
            } catch (IOException e) {
                // the client stopped reading: what this test wants
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    private HttpResponse<String> get(String path) throws Exception {
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        return Transport.forServer(base, Optional.empty()).send(HttpRequest.newBuilder(base.resolve(path)).build());
    }

    @Test
    void anOrdinaryAnswerIsReadWhole() throws Exception {
        HttpResponse<String> answer = get("/small");
        assertEquals(200, answer.statusCode());
        assertEquals("{\"ok\":true}", answer.body());
        assertEquals(Optional.of("application/json"), answer.headers().firstValue("Content-Type"));
    }

    @Test
    void anEndlessAnswerIsRefusedOnceItPassesTheLimit() {
        IOException e = assertThrows(IOException.class, () -> get("/endless"));
        assertTrue(e.getMessage().contains("unacceptable length"), e.getMessage());
        assertTrue(written.get() < 4L * Transport.MAX_BODY, "the client stopped reading before the server's end");
    }
}
