package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * The direct transport keeps connections open between requests, and never loses or doubles a request over it: a
 * connection the server closed while idle is replaced without the caller seeing it, a request the server began to
 * answer is never sent again, and an answer that closes its connection (or is not framed) is not followed by
 * another request on it.
 */
class DirectTransportTest {
    private final ServerSocket server;
    /** Connections the server accepted. */
    final AtomicInteger connections = new AtomicInteger();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    /** How the server answers the n-th request of the whole test (1-based) and its text. */
    @FunctionalInterface
    interface Answers {
        /** The raw answer; null closes the connection without answering. */
        String to(int n, String request);
    }

    private volatile Answers answers = (n, request) -> ok("{\"n\":" + n + "}");
    /** Closes each connection after this many answers. */
    private volatile int answersPerConnection = Integer.MAX_VALUE;
    /** When positive, each answer is written a byte at a time, this many milliseconds apart. */
    private volatile int dripMillis;

    DirectTransportTest() throws IOException {
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::accept, "http-server");
        t.setDaemon(true);
        t.start();
    }

    private static String ok(String json) {
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
                + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket s = server.accept();
                connections.incrementAndGet();
                Thread t = new Thread(() -> serve(s), "http-connection");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Reads requests (head, then a Content-Length body) one after another and answers each as told. */
    private void serve(Socket s) {
        try (s) {
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            for (int answered = 0; answered < answersPerConnection; answered++) {
                ByteArrayOutputStream head = new ByteArrayOutputStream();
                while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    head.write(b);
                }
                String text = head.toString(StandardCharsets.ISO_8859_1);
                int length = text.lines().filter(l -> l.startsWith("Content-Length: ")).findFirst()
                        .map(l -> Integer.parseInt(l.substring(16))).orElse(0);
                String request = text + new String(in.readNBytes(length), StandardCharsets.UTF_8);
                int n;
                synchronized (requests) {
                    requests.add(request);
                    n = requests.size();
                }
                String answer = answers.to(n, request);
                if (answer == null) {
                    return;
                }
                if (dripMillis > 0) {
                    for (byte b : answer.getBytes(StandardCharsets.UTF_8)) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(dripMillis);
                    }
                } else {
                    out.write(answer.getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            // the client went away
        }
    }

    @AfterEach
    void stop() throws IOException {
        server.close();
    }

    /** The transport under test: straight to {@link #server}. */
    Transport transport() throws IOException {
        return new DirectTransport();
    }

    int serverPort() {
        return server.getLocalPort();
    }

    private URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.getLocalPort() + path);
    }

    private HttpResponse<String> post(Transport transport, String body) throws IOException, InterruptedException {
        return transport.send(HttpRequest.newBuilder(uri("/session")).header("Content-Type", "text/plain")
                .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(body)).build());
    }

    @Test
    void requestsInARowShareOneConnection() throws Exception {
        Transport transport = transport();
        for (int i = 1; i <= 5; i++) {
            HttpResponse<String> answer = post(transport, "m" + i);
            assertEquals(200, answer.statusCode());
            assertEquals("{\"n\":" + i + "}", answer.body());
        }
        assertEquals(1, connections.get());
        assertEquals(5, requests.size());
        for (int i = 0; i < 5; i++) {
            String request = requests.get(i);
            assertTrue(request.startsWith("POST /session HTTP/1.1\r\nHost: 127.0.0.1:" + server.getLocalPort()
                    + "\r\n"), request);
            assertTrue(request.contains("\r\nContent-Length: 2\r\n"), request);
            assertTrue(!request.toLowerCase().contains("connection:"), "keep-alive is HTTP/1.1's default: " + request);
            assertTrue(request.endsWith("\r\n\r\nm" + (i + 1)), request);
        }
    }

    @Test
    void aConnectionTheServerClosedWhileIdleIsReplacedAndTheRequestSentOnce() throws Exception {
        answersPerConnection = 1; // the server closes every connection after its answer, without saying so
        Transport transport = transport();
        for (int i = 1; i <= 3; i++) {
            assertEquals("{\"n\":" + i + "}", post(transport, "m" + i).body());
            Thread.sleep(50); // let the close arrive
        }
        assertEquals(3, requests.size(), "each request reached the server exactly once: " + requests);
        assertEquals(3, connections.get());
    }

    @Test
    void aRequestTheServerBeganToAnswerIsNeverSentAgain() throws Exception {
        answersPerConnection = 2;
        Transport transport = transport();
        assertEquals(200, post(transport, "first").statusCode());
        answers = (n, r) -> "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"cut\""; // then the connection closes
        IOException e = assertThrows(IOException.class, () -> post(transport, "second"));
        assertTrue(e.getMessage().contains("ended early"), e.getMessage());
        assertEquals(2, requests.size(), "the cut answer's request was not sent again: " + requests);
    }

    /**
     * A server that sends its answer a byte at a time, each byte well within the socket's timeout, cannot keep the
     * client waiting past the request's timeout: the whole answer is held to it, not each read.
     */
    @Test
    void anAnswerDrippedAByteAtATimeEndsAtTheRequestsTimeout() throws Exception {
        dripMillis = 100; // the answer below takes over 10 s this way
        answers = (n, r) -> ok("{\"n\":" + n + ",\"pad\":\"" + "x".repeat(40) + "\"}");
        Transport transport = transport();
        HttpRequest request = HttpRequest.newBuilder(uri("/session")).timeout(Duration.ofSeconds(2))
                .POST(HttpRequest.BodyPublishers.ofString("m")).build();
        long start = System.nanoTime();
        IOException e = assertThrows(IOException.class, () -> transport.send(request));
        long tookMillis = (System.nanoTime() - start) / 1_000_000;
        Throwable timedOut = e;
        while (timedOut != null && !(timedOut instanceof java.net.SocketTimeoutException)) {
            timedOut = timedOut.getCause();
        }
        assertTrue(timedOut != null, "a timeout, whatever the transport wraps it in: " + e);
        assertTrue(tookMillis >= 1_900 && tookMillis < 6_000, "cut off at the request's 2 s: " + tookMillis + " ms");
        assertEquals(1, requests.size(), "sent once, not again after the timeout: " + requests);
    }

    @Test
    void aConnectionTheServerSaidItWouldCloseIsNotUsedAgain() throws Exception {
        answers = (n, r) -> "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}";
        Transport transport = transport();
        post(transport, "a");
        post(transport, "b");
        assertEquals(2, connections.get());
        assertEquals(2, requests.size());
    }

    @Test
    void anAnswerThatEndsWithItsConnectionIsReadWholeAndItsConnectionNotReused() throws Exception {
        answersPerConnection = 1;
        answers = (n, r) -> "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{\"a\":" + n + "}";
        Transport transport = transport();
        assertEquals("{\"a\":1}", post(transport, "a").body());
        assertEquals("{\"a\":2}", post(transport, "b").body());
        assertEquals(2, connections.get());
    }

    @Test
    void aServerThatClosesEveryConnectionUnansweredIsAClearErrorAfterOneFreshTry() throws Exception {
        Transport transport = transport();
        post(transport, "warm"); // leaves one idle connection
        answers = (n, r) -> null;
        IOException e = assertThrows(IOException.class, () -> post(transport, "doomed"));
        assertTrue(e.getMessage().contains("without answering"), e.getMessage());
        // once on the idle connection (closed unanswered), once on a new one: never more
        assertEquals(3, requests.size(), requests.toString());
        assertEquals(2, connections.get());
    }

    @Test
    void concurrentRequestsEachGetTheirOwnAnswer() throws Exception {
        answers = (n, request) -> { // each answer says what it answers, so a mix-up shows
            return ok("{\"echo\":\"" + request.substring(request.lastIndexOf('\n') + 1) + "\"}");
        };
        Transport transport = transport();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                String body = "r" + i;
                answers.add(pool.submit(() -> post(transport, body).body()));
            }
            for (int i = 0; i < 200; i++) {
                assertEquals("{\"echo\":\"r" + i + "\"}", answers.get(i).get());
            }
        } finally {
            pool.shutdownNow();
        }
        assertEquals(200, requests.size());
        assertTrue(connections.get() <= 8, "at most one connection per thread: " + connections.get());
    }

    /**
     * The reuse window sits inside the time Liberty keeps an idle connection open ({@code httpOptions}'
     * {@code persistTimeout}, 30 s unless configured) in every configuration the project ships: the retry on a
     * connection closed while idle is then the exception, not every login's second request. (DirectTransportIT
     * checks it against the running server.)
     */
    @Test
    void theReuseWindowIsShorterThanTheServersIdleTimeout() throws Exception {
        List<Path> configs = new ArrayList<>();
        for (String dir : List.of("liberty/config", "liberty/test")) {
            try (var files = Files.list(Path.of(dir))) {
                files.filter(f -> f.toString().endsWith(".xml")).forEach(configs::add);
            }
        }
        int endpoints = 0;
        for (Path config : configs) {
            NodeList found = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(config.toFile())
                    .getElementsByTagName("httpEndpoint");
            for (int i = 0; i < found.getLength(); i++) {
                Element endpoint = (Element) found.item(i);
                NodeList options = endpoint.getElementsByTagName("httpOptions");
                String persist = options.getLength() == 0 ? ""
                        : ((Element) options.item(0)).getAttribute("persistTimeout");
                Duration idle = persist.isEmpty() ? LIBERTY_PERSIST_TIMEOUT : libertyDuration(persist);
                assertTrue(DirectTransport.REUSE_WITHIN.compareTo(idle) < 0,
                        config + ", " + endpoint.getAttribute("id") + ": idle connections close after " + idle);
                endpoints++;
            }
        }
        assertTrue(endpoints >= 2, "the public and the admin endpoint of " + configs);
        assertEquals(Duration.ofSeconds(30), libertyDuration("30s"));
        assertEquals(Duration.ofSeconds(90), libertyDuration("1m30s"));
        assertEquals(Duration.ofMillis(500), libertyDuration("500ms"));
        assertEquals(Duration.ofSeconds(7), libertyDuration("7"));
    }

    /** Liberty's default httpOptions persistTimeout. */
    private static final Duration LIBERTY_PERSIST_TIMEOUT = Duration.ofSeconds(30);

    /** A Liberty duration: "30s", "1m30s", "500ms", or a bare number of seconds. */
    private static Duration libertyDuration(String value) {
        if (value.matches("\\d+")) {
            return Duration.ofSeconds(Long.parseLong(value));
        }
        java.util.regex.Matcher part = java.util.regex.Pattern.compile("(\\d+)(ms|h|m|s)").matcher(value);
        Duration total = Duration.ZERO;
        int end = 0;
        while (part.find() && part.start() == end) {
            long n = Long.parseLong(part.group(1));
            total = total.plus(switch (part.group(2)) {
                case "ms" -> Duration.ofMillis(n);
                case "h" -> Duration.ofHours(n);
                case "m" -> Duration.ofMinutes(n);
                default -> Duration.ofSeconds(n);
            });
            end = part.end();
        }
        assertEquals(value.length(), end, "a Liberty duration: " + value);
        return total;
    }
}
