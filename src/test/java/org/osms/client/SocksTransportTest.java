package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.osms.it.RecordingSocksServer;

/**
 * The HTTP side of the SOCKS transport against a server that answers whatever a test gives it: well-formed answers
 * in every framing read as HttpClient would read them, and a hostile or broken server gets a clear IOException,
 * never a hang or an unbounded read.
 */
class SocksTransportTest {
    private final ServerSocket server;
    private final AtomicReference<String> received = new AtomicReference<>();
    private final RecordingSocksServer proxy;
    private volatile byte[] answer = new byte[0];

    SocksTransportTest() throws IOException {
        server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::serve, "http-answer");
        t.setDaemon(true);
        t.start();
        proxy = new RecordingSocksServer(Map.of("answer.invalid:80",
                new InetSocketAddress("127.0.0.1", server.getLocalPort())));
    }

    /** Reads one request head and body (by Content-Length), records it, writes {@link #answer}, closes. */
    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                InputStream in = s.getInputStream();
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    head.write(in.read());
                }
                String text = head.toString(StandardCharsets.ISO_8859_1);
                int length = text.lines().filter(l -> l.startsWith("Content-Length: ")).findFirst()
                        .map(l -> Integer.parseInt(l.substring(16))).orElse(0);
                received.set(text + new String(in.readNBytes(length), StandardCharsets.UTF_8));
                s.getOutputStream().write(answer);
                if (answer.length > 0) {
                    s.shutdownOutput();
                } else {
                    Thread.sleep(5000);
                }
            } catch (IOException | InterruptedException e) {
                // next connection
            }
        }
    }

    @AfterEach
    void stop() throws IOException {
        proxy.close();
        server.close();
    }

    private HttpResponse<String> get(String answer) throws IOException {
        this.answer = answer.getBytes(StandardCharsets.UTF_8);
        return new SocksTransport(SocksProxy.parse(proxy.uri())).send(HttpRequest.newBuilder(
                URI.create("http://answer.invalid/pk?x=1")).header("Accept", "application/json")
                .timeout(Duration.ofSeconds(2)).GET().build());
    }

    static Stream<String> framings() {
        return Stream.of(
                // Content-Length framing
                "HTTP/1.1 200 OK\r\nContent-Length: 7\r\n\r\n{\"a\":1}",
                // chunked, in two chunks, with an extension and a trailer
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3;x=y\r\n{\"a\r\n4\r\n\":1}\r\n0\r\nT: 1\r\n\r\n",
                // neither: the body ends where the connection does
                "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":1}");
    }

    @ParameterizedTest
    @MethodSource("framings")
    void everyFramingReadsTheSameBody(String raw) throws IOException {
        HttpResponse<String> response = get(raw);
        assertEquals(200, response.statusCode());
        assertEquals("{\"a\":1}", response.body());
        String request = received.get();
        assertTrue(request.startsWith("GET /pk?x=1 HTTP/1.1\r\nHost: answer.invalid\r\n"), request);
        assertTrue(request.contains("\r\nAccept: application/json\r\n"), request);
        assertFalse(request.toLowerCase().contains("user-agent"), "nothing that tells clients apart: " + request);
        assertEquals(List.of(new RecordingSocksServer.Connect(3, "answer.invalid", 80)), proxy.connects());
    }

    @Test
    void headersAndStatusComeThroughAsTheServerSentThem() throws IOException {
        HttpResponse<String> response = get("HTTP/1.1 404 Not Found\r\nosms-session: abc\r\nContent-Length: 2\r\n"
                + "\r\n{}");
        assertEquals(404, response.statusCode());
        assertEquals("abc", response.headers().firstValue("OSMS-Session").orElseThrow());
    }

    @Test
    void aPostCarriesItsBodyAndLength() throws IOException {
        answer = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}".getBytes(StandardCharsets.UTF_8);
        new SocksTransport(SocksProxy.parse(proxy.uri())).send(HttpRequest.newBuilder(
                URI.create("http://answer.invalid/create_session")).timeout(Duration.ofSeconds(2))
                .POST(HttpRequest.BodyPublishers.ofString("?OTRv3?é")).build());
        assertTrue(received.get().startsWith("POST /create_session HTTP/1.1\r\n"), received.get());
        assertTrue(received.get().contains("\r\nContent-Length: 9\r\n"), received.get());
        assertTrue(received.get().endsWith("\r\n\r\n?OTRv3?é"), received.get());
    }

    static Stream<Arguments> brokenAnswers() {
        return Stream.of(
                // not HTTP at all
                Arguments.of("SSH-2.0-OpenSSH\r\n\r\n", "not an HTTP answer"),
                // a length no OSMS document comes near: refused before reading
                Arguments.of("HTTP/1.1 200 OK\r\nContent-Length: 99999999999\r\n\r\n{}", "unacceptable length"),
                // the body ends before its announced length
                Arguments.of("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{}", "ended early"),
                // a chunk size that is no number
                Arguments.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "malformed chunk"),
                // a header line without a colon
                Arguments.of("HTTP/1.1 200 OK\r\nbroken\r\n\r\n", "malformed HTTP header"),
                // the connection closes in the middle of the head
                Arguments.of("HTTP/1.1 200 OK\r\nContent-", "ended early"));
    }

    @ParameterizedTest
    @MethodSource("brokenAnswers")
    void aBrokenOrHostileAnswerIsAClearError(String raw, String reason) {
        IOException e = assertThrows(IOException.class, () -> get(raw));
        assertTrue(e.getMessage().startsWith("through proxy " + proxy.uri() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(reason), e.getMessage());
    }

    @Test
    void aServerThatNeverAnswersTimesOutWithTheRequest() {
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> get(""));
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toSeconds() < 5, "the request's 2 s, not more");
    }
}
