package org.osms.front;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.osms.it.Http;
import org.osms.protocol.AdmissionPuzzle;

/**
 * The onion service's front (liberty/front) with haproxy in front of the test server, reached as tor reaches it:
 * every error it returns is OSMS's error document and echoes nothing, also for requests that haproxy's or the web
 * container's own parsers refuse; and the circuit header OSMS trusts is the front's, never the client's.
 */
class FrontIT {
    /** Appears in every hostile request, so that an echo of any part of it shows. */
    private static final String MARK = "zq7echo";
    private static final int CIRCUIT = 0x2_0007;

    private static Front front;
    private static final Http direct = Http.fromSystemProperty();
    private static final int httpPort = URI.create(direct.base()).getPort();

    @BeforeAll
    static void start(@TempDir Path dir) throws Exception {
        front = Front.start(dir, httpPort);
    }

    @AfterAll
    static void stop() throws Exception {
        if (front != null) {
            front.close();
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static Stream<Arguments> hostileRequests() {
        StringBuilder manyHeaders = new StringBuilder("GET /pk HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 10_000; i++) {
            manyHeaders.append("X-").append(MARK).append(i).append(": ").append(MARK).append("\r\n");
        }
        StringBuilder bareLf = new StringBuilder("GET /pk HTTP/1.1\r\nHost: x\n");
        for (int i = 0; i < 150; i++) {
            bareLf.append("X-").append(i).append(": ").append(MARK).append(i < 149 ? "\n" : "\r\n");
        }
        StringBuilder someHeaders = new StringBuilder("GET /pk HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 150; i++) {
            someHeaders.append("X-").append(i).append(": ").append(MARK).append("\r\n");
        }
        return Stream.of(
                // an invalid percent-encoding: the web container refuses it with an HTML page echoing the URI
                Arguments.of("/user/%00", ascii("GET /user/%00" + MARK + " HTTP/1.1\r\nHost: x\r\n\r\n"),
                        400, "bad_request"),
                // … and with a JSON Content-Type its {"error_message":…} body, echoing the URI as well
                Arguments.of("/user/%00 as JSON", ascii("GET /user/%00" + MARK + " HTTP/1.1\r\nHost: x\r\n"
                        + "Content-Type: application/json\r\n\r\n"), 400, "bad_request"),
                // 10,000 header lines: refused before haproxy's parser, which would answer its own HTML page
                Arguments.of("10,000 headers", ascii(manyHeaders + "\r\n"), 431, "headers_too_large"),
                // a small head with more header lines than the front takes (101)
                Arguments.of("151 headers", ascii(someHeaders + "\r\n"), 431, "headers_too_large"),
                // header lines that end in a bare LF (the last in CRLF, closing the head): the count of CRLF-ended
                // lines would not see them
                Arguments.of("151 headers ending in LF", ascii(bareLf + "\r\n"), 400, "bad_request"),
                // a head whose lines all end in a bare LF: refused at once, not after waiting 10 s for its CRLF (408)
                Arguments.of("head ending in LF LF", ascii("GET /pk" + MARK + " HTTP/1.1\r\nHost: x\n\n"), 400,
                        "bad_request"),
                Arguments.of("request line ending in LF", ascii("GET /pk" + MARK + " HTTP/1.1\nHost: x\n\n"), 400,
                        "bad_request"),
                // HTTP/0.9 has no version and no answer head
                Arguments.of("HTTP/0.9", ascii("GET /pk" + MARK + "\r\n"), 400, "bad_request"),
                // a request target of 20,000 bytes
                Arguments.of("oversized URI", ascii("GET /user/" + MARK + "a".repeat(20_000)
                        + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414, "uri_too_long"),
                // a target just over the front's 8 KiB, still within haproxy's buffer
                Arguments.of("9 KiB URI", ascii("GET /user/" + MARK + "a".repeat(9_000)
                        + " HTTP/1.1\r\nHost: x\r\n\r\n"), 414, "uri_too_long"),
                // a request line that is not HTTP at all
                Arguments.of("garbage", ascii(MARK + " \u0001\u0002\r\n\r\n"), 400, "bad_request"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileRequests")
    void everyRefusalThroughTheFrontIsOsmsErrorDocumentAndEchoesNothing(String what, byte[] request, int status,
                                                                       String code) throws Exception {
        Front.Answer a = front.raw(CIRCUIT, request);
        assertEquals(status, a.status(), what + ": " + a);
        assertEquals("application/json", a.header("Content-Type"), what);
        JsonObject doc = Json.createReader(new StringReader(a.body())).readObject();
        assertEquals(code, doc.getString("error"), what);
        assertEquals(2, doc.size(), "error and message only: " + doc);
        assertFalse(a.toString().contains(MARK), what + " echoes nothing of the request: " + a);
        assertFalse(a.toString().toLowerCase().contains("<html"), what + ": " + a);
    }

    static Stream<Arguments> trickledHeads() {
        String ok = "GET /pk HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nConnection: close\r\n\r\n";
        StringBuilder someHeaders = new StringBuilder("GET /pk HTTP/1.1\r\nHost: x\r\n");
        StringBuilder bareLf = new StringBuilder("GET /pk HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 150; i++) {
            someHeaders.append("X-").append(i).append(": ").append(MARK).append("\r\n");
            bareLf.append("X-").append(i).append(": ").append(MARK).append(i == 50 ? "\n" : "\r\n");
        }
        StringBuilder longHead = new StringBuilder("GET /pk HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 90; i++) {
            longHead.append("X-").append(i).append(": ").append("a".repeat(160)).append("\r\n");
        }
        return Stream.of(
                Arguments.of("a whole head, a byte at a time", ascii(ok), 1, 200, null),
                Arguments.of("a whole head, three bytes at a time", ascii(ok), 3, 200, null),
                Arguments.of("151 headers, seven bytes at a time", ascii(someHeaders + "\r\n"), 7, 431,
                        "headers_too_large"),
                Arguments.of("a bare LF at the 52nd line, seven bytes at a time", ascii(bareLf + "\r\n"), 7, 400,
                        "bad_request"),
                Arguments.of("a head ending in LF LF, a byte at a time",
                        ascii("GET /pk" + MARK + " HTTP/1.1\r\nHost: x\n\n"), 1, 400, "bad_request"),
                Arguments.of("a request line ending in LF, a byte at a time",
                        ascii("GET /pk" + MARK + " HTTP/1.1\nHost: x\r\n\r\n"), 1, 400, "bad_request"),
                Arguments.of("HTTP/0.9, a byte at a time", ascii("GET /pk" + MARK + "\r\n"), 1, 400, "bad_request"),
                Arguments.of("a 9 KiB target, 64 bytes at a time", ascii("GET /user/" + MARK + "a".repeat(9_000)
                        + " HTTP/1.1\r\nHost: x\r\n\r\n"), 64, 414, "uri_too_long"),
                Arguments.of("a 15 KiB head, 64 bytes at a time", ascii(longHead + "\r\n"), 64, 431,
                        "headers_too_large"));
    }

    /**
     * The front's check reads each part of a head once, as it arrives: a head trickled in small pieces is judged as
     * the same head sent whole, whichever piece a CRLF, a bare LF or the empty line falls across.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("trickledHeads")
    void aHeadTrickledInPiecesIsJudgedAsTheSameHeadWhole(String what, byte[] request, int piece, int status,
                                                        String code) throws Exception {
        Front.Answer a = front.trickled(CIRCUIT, request, piece, 2);
        assertEquals(status, a.status(), what + ": " + a);
        if (code == null) {
            assertTrue(a.body().contains("\"fingerprint\""), what + ": the server's key: " + a);
        } else {
            assertEquals(code, Json.createReader(new StringReader(a.body())).readObject().getString("error"), what);
            assertFalse(a.toString().contains(MARK), what + " echoes nothing of the request: " + a);
        }
    }

    /** What Liberty answers on its own port is left as it is (docs/protocol.md, "Errors"): the front changes it. */
    @Test
    void libertysOwnAnswerToAnInvalidPercentEncodingIsReplacedOnlyThroughTheFront() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", httpPort)) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(ascii("GET /user/%00" + MARK + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
            String wire = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            Front.Answer directly = Front.parse(wire);
            assertEquals(400, directly.status());
            assertFalse(directly.body().startsWith("{\"error\":\""), "Liberty's own page: " + directly);
        }
        Front.Answer through = front.raw(CIRCUIT, ascii("GET /user/%00" + MARK + " HTTP/1.1\r\nHost: x\r\n\r\n"));
        assertEquals(400, through.status());
        assertTrue(through.body().startsWith("{\"error\":\"bad_request\""), through.toString());
    }

    /** OSMS's own error documents pass unchanged, with their status and code. */
    @Test
    void osmsOwnErrorDocumentsPassUnchanged() throws Exception {
        Front.Answer unknown = front.raw(CIRCUIT, ascii("GET /user/nosuchuser" + " HTTP/1.1\r\nHost: x\r\n"
                + "Accept: application/json\r\nConnection: close\r\n\r\n"));
        assertEquals(404, unknown.status());
        assertEquals("unknown_user", Json.createReader(new StringReader(unknown.body())).readObject()
                .getString("error"));
        Front.Answer badName = front.raw(CIRCUIT, ascii("GET /user/" + "a".repeat(5000)
                + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        assertEquals(400, badName.status(), badName.toString());
        assertEquals("bad_username", Json.createReader(new StringReader(badName.body())).readObject()
                .getString("error"));
    }

    /**
     * OSMS trusts OSMS-Circuit only because the front sets it: a client's own header never reaches OSMS. A malformed
     * one straight to the loopback port is 400 bad_circuit; through the front, the same request opens a conversation.
     */
    @Test
    void theFrontReplacesTheCircuitHeaderAClientSends() throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        HttpRequest.Builder forged = HttpRequest.newBuilder().timeout(Duration.ofSeconds(30))
                .header("OSMS-Circuit", "forged circuit").POST(HttpRequest.BodyPublishers.ofString("?OTRv3?"));
        HttpResponse<String> straight = http.send(forged.uri(URI.create(direct.base() + "/create_session")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, straight.statusCode());
        assertEquals("bad_circuit", Json.createReader(new StringReader(straight.body())).readObject()
                .getString("error"));
        try (Front.Relay tor = front.relay(CIRCUIT)) {
            HttpResponse<String> through = http.send(forged.uri(URI.create(tor.base() + "/create_session")).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (through.statusCode() == 429 && through.body().contains("puzzle_required")) {
                // registration conversations of other tests fill half the class: the puzzle is asked for first
                String token = through.headers().firstValue(AdmissionPuzzle.PUZZLE_HEADER).orElseThrow();
                long counter = AdmissionPuzzle.solve(token, Integer.parseInt(
                        through.headers().firstValue(AdmissionPuzzle.BITS_HEADER).orElseThrow()), () -> false);
                through = http.send(forged.uri(URI.create(tor.base() + "/create_session"))
                        .header(AdmissionPuzzle.PUZZLE_HEADER, token)
                        .header(AdmissionPuzzle.COUNTER_HEADER, Long.toString(counter)).build(),
                        HttpResponse.BodyHandlers.ofString());
            }
            assertEquals(200, through.statusCode(), through.body());
            assertTrue(through.headers().firstValue("OSMS-Session").isPresent());
            HttpResponse<String> pk = http.send(HttpRequest.newBuilder(URI.create(tor.base() + "/pk"))
                    .header("Accept", "application/json").build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, pk.statusCode());
            assertEquals(direct.get("/pk").body(), pk.body(), "the same document as on the loopback port");
        }
    }

    /**
     * The front forwards a request only once its body is all there: bodies trickled on more circuits than OSMS has
     * body-reading slots (16) hold none of them, and every other circuit's commands are answered meanwhile. Before,
     * the front forwarded what its 16 KiB buffer held and OSMS waited for the rest, so twenty such circuits shut every
     * command out with 503 busy.
     */
    @Test
    void bodiesTrickledOnManyCircuitsHoldNothingOfOsms() throws Exception {
        List<java.net.Socket> slow = new ArrayList<>();
        byte[] head = ascii("POST /session HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nOSMS-Session: "
                + "A".repeat(43) + "\r\nContent-Length: 60000\r\n\r\n");
        byte[] part = new byte[15_500];
        java.util.Arrays.fill(part, (byte) 'A');
        try {
            for (int i = 0; i < 20; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", front.port());
                s.getOutputStream().write(Front.proxyHeader(0x5_0000 + i));
                s.getOutputStream().write(head);
                s.getOutputStream().write(part);
                s.getOutputStream().flush();
                slow.add(s);
            }
            Thread.sleep(1000); // what the front forwards of them has reached OSMS
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            try (Front.Relay tor = front.relay(CIRCUIT + 1)) {
                for (int i = 0; i < 3; i++) {
                    HttpResponse<String> other = http.send(HttpRequest.newBuilder(URI.create(tor.base() + "/session"))
                            .timeout(Duration.ofSeconds(30)).header("OSMS-Session", "B".repeat(43))
                            .POST(HttpRequest.BodyPublishers.ofString("?OTR:AAMD")).build(),
                            HttpResponse.BodyHandlers.ofString());
                    assertEquals(404, other.statusCode(), other.body());
                    assertEquals("unknown_session", Json.createReader(new StringReader(other.body())).readObject()
                            .getString("error"), "answered by OSMS, not refused for want of a slot");
                }
            }
        } finally {
            for (java.net.Socket s : slow) {
                s.close();
            }
        }
    }

    /**
     * request-head.lua reads only a connection's first request: a later one that padded its head so that head and
     * body no longer fit the front's buffer had its body forwarded unfinished, and held an OSMS body-reading thread
     * until OSMS's 10 s deadline. The front now refuses such a request at once, and it never reaches OSMS.
     */
    @Test
    void aLaterRequestOfAConnectionCannotPadItsHeadToHaveItsBodyForwardedUnfinished() throws Exception {
        String pad = "A".repeat(16_000);
        byte[] body = new byte[65_500]; // 36 bytes short of its Content-Length, and nothing more comes
        java.util.Arrays.fill(body, (byte) 'B');
        Exchange x = exchange(CIRCUIT + 2,
                ascii("GET /pk HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n"),
                ascii("POST /session HTTP/1.1\r\nHost: x\r\nOSMS-Session: " + "A".repeat(43)
                        + "\r\nX-Pad-1: " + pad + "\r\nX-Pad-2: " + pad + "\r\nContent-Length: 65536\r\n\r\n"),
                body);
        int second = x.wire().indexOf("HTTP/1.1 ", x.wire().indexOf("HTTP/1.1 200") + 1);
        assertTrue(x.wire().startsWith("HTTP/1.1 200") && second > 0, x.wire());
        Front.Answer refused = Front.parse(x.wire().substring(second));
        assertEquals(400, refused.status(), refused.body());
        assertEquals("bad_request", Json.createReader(new StringReader(refused.body())).readObject()
                .getString("error"));
        assertTrue(x.millis() < 5_000, "answered at once, not after a wait for the rest: " + x.millis() + " ms");
    }

    /**
     * Later requests of a kept-alive connection arrive in HTTP mode, where the first-head check lets them through to
     * the backend's rules without an error of its own: a Lua error would be an alert in the front's log for every
     * such request, which a client could repeat at will.
     */
    @Test
    void laterRequestsOfAKeptAliveConnectionLeaveNothingInTheFrontsLog() throws Exception {
        long logBefore = java.nio.file.Files.size(front.log());
        String get = "GET /pk HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n";
        Exchange x = exchange(CIRCUIT + 4, ascii(get + "\r\n"), ascii(get + "\r\n"),
                ascii(get + "Connection: close\r\n\r\n"));
        assertEquals(3, x.wire().split("HTTP/1.1 200 ", -1).length - 1, x.wire());
        String logged = java.nio.file.Files.readString(front.log()).substring((int) logBefore);
        assertEquals("", logged.strip(), "the front logged nothing");
    }

    /**
     * A kept-alive connection that sends no further request is closed by the front 10 s after its answer (timeout
     * http-request, which haproxy applies to the wait for a next request when timeout http-keep-alive is not set): the
     * SOCKS transport of the reference client reuses a connection for half of that (SocksKeptConnectionsTest).
     */
    @Test
    void anIdleKeptAliveConnectionIsClosedTenSecondsAfterItsAnswer() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", front.port())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(Front.proxyHeader(CIRCUIT + 5));
            s.getOutputStream().write(ascii("GET /pk HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n"));
            s.getOutputStream().flush();
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            long answered = 0;
            try {
                for (int n; (n = s.getInputStream().read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                    if (answered == 0 && complete(got.toString(StandardCharsets.ISO_8859_1))) {
                        answered = System.nanoTime();
                    }
                }
            } catch (java.net.SocketException resetAtTheClose) {
                // the close itself
            }
            long closedAfter = (System.nanoTime() - answered) / 1_000_000;
            String wire = got.toString(StandardCharsets.ISO_8859_1);
            assertTrue(answered != 0, "a whole answer: " + wire);
            assertEquals(1, wire.split("HTTP/1.1 ", -1).length - 1, "one answer, nothing at the close: " + wire);
            assertTrue(wire.startsWith("HTTP/1.1 200 "), wire);
            assertFalse(wire.toLowerCase(java.util.Locale.ROOT).contains("connection: close"),
                    "kept alive after the answer: " + wire);
            assertTrue(closedAfter >= 9_000 && closedAfter < 12_000, "closed " + closedAfter + " ms after the answer");
        }
    }

    /** Whether the bytes hold a whole answer: its head, and the body its Content-Length or last chunk says. */
    private static boolean complete(String wire) {
        int head = wire.indexOf("\r\n\r\n");
        if (head < 0) {
            return false;
        }
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?im)^content-length: *(\\d+)")
                .matcher(wire.substring(0, head + 2));
        if (length.find()) {
            return wire.length() - head - 4 >= Integer.parseInt(length.group(1));
        }
        return wire.endsWith("\r\n0\r\n\r\n");
    }

    /** A body that does not fit the front's buffer beside its head is refused there, at once, as too large. */
    @Test
    void aBodyLongerThanTheFrontsBufferIsRefusedThereAtOnce() throws Exception {
        byte[] body = new byte[97_500]; // with the head, past the 96 KiB buffer less haproxy's reserve
        java.util.Arrays.fill(body, (byte) 'C');
        Exchange x = exchange(CIRCUIT + 3, ascii("POST /session HTTP/1.1\r\nHost: x\r\nOSMS-Session: "
                + "A".repeat(43) + "\r\nContent-Length: 200000\r\n\r\n"), body);
        Front.Answer refused = Front.parse(x.wire());
        assertEquals(413, refused.status(), refused.body());
        assertEquals("too_large", Json.createReader(new StringReader(refused.body())).readObject()
                .getString("error"));
        assertTrue(x.millis() < 5_000, "answered at once: " + x.millis() + " ms");
    }

    /** What the front answered on one connection, and how long after the last part was sent. */
    private record Exchange(String wire, long millis) {
    }

    /**
     * Sends the parts after the circuit's PROXY header on a new connection and reads until the front closes it. The
     * front may close with part of the request unread, and then a reset may follow its answer: that ends the answer.
     */
    private static Exchange exchange(long circuit, byte[]... parts) throws java.io.IOException {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", front.port())) {
            s.setSoTimeout(30_000);
            java.io.OutputStream out = s.getOutputStream();
            out.write(Front.proxyHeader(circuit));
            for (byte[] part : parts) {
                out.write(part);
            }
            out.flush();
            long started = System.nanoTime();
            java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = s.getInputStream().read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (java.net.SocketException resetAfterTheAnswer) {
                // what was read before the reset is the answer
            }
            return new Exchange(got.toString(StandardCharsets.ISO_8859_1), (System.nanoTime() - started) / 1_000_000);
        }
    }

    /**
     * A circuit holds at most 8 connections of the front at once, idle ones included: a 9th is answered 429
     * circuit_busy, while another circuit is served; once the 8 have closed, the circuit is served again.
     */
    @Test
    void aCircuitsEightIdleConnectionsCountAgainstItsLimit() throws Exception {
        long circuit = 0x7_0001;
        byte[] pk = ascii("GET /pk HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nConnection: close\r\n\r\n");
        List<java.net.Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                java.net.Socket s = new java.net.Socket("127.0.0.1", front.port());
                s.getOutputStream().write(Front.proxyHeader(circuit)); // and nothing more: an idle stream
                s.getOutputStream().flush();
                idle.add(s);
            }
            Thread.sleep(500); // the front has accepted them all
            String refused = exchange(circuit, pk).wire();
            assertTrue(refused.startsWith("HTTP/1.1 429"), refused);
            assertTrue(refused.contains("\"error\":\"circuit_busy\""), refused);
            String other = exchange(circuit + 1, pk).wire();
            assertTrue(other.startsWith("HTTP/1.1 200"), "another circuit is served: " + other);
        } finally {
            for (java.net.Socket s : idle) {
                s.close();
            }
        }
        // a connection closed while the front still waited for its first head counts until the front gives up on
        // that head, at the latest when the head's deadline runs out (tcp-request inspect-delay, 11 s)
        String again = "";
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(15);
        while (!again.startsWith("HTTP/1.1 200") && System.nanoTime() < deadline) {
            Thread.sleep(500);
            again = exchange(circuit, pk).wire();
        }
        assertTrue(again.startsWith("HTTP/1.1 200"), "the circuit is served once its connections closed: " + again);
    }

    /**
     * tor numbers its circuits from 1 again when it restarts, and osms-onion restarts the front with it while OSMS runs
     * on: a circuit whose number an earlier circuit had, before the restart, does not inherit that circuit's share of
     * OSMS's admission (here its registration conversations, all held).
     */
    @Test
    void aCircuitNumberSeenAgainAfterTheFrontRestartedIsANewCircuitToOsms(@TempDir Path dir) throws Exception {
        long circuit = 0x20_0000 + new java.security.SecureRandom().nextInt(0x7000_0000);
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10)).build();
        java.nio.file.Files.createDirectories(dir.resolve("before"));
        java.nio.file.Files.createDirectories(dir.resolve("after"));
        try (Front before = Front.start(dir.resolve("before"), httpPort);
             Front.Relay tor = before.relay(circuit)) {
            HttpResponse<String> last = null;
            for (int i = 0; i < 30 && (last == null || last.statusCode() == 200); i++) {
                last = openRegistration(http, tor);
            }
            assertEquals(429, last.statusCode(), last.body());
            assertTrue(last.body().contains("holds its share"), "OSMS refuses the circuit its share: " + last.body());
        }
        try (Front after = Front.start(dir.resolve("after"), httpPort);
             Front.Relay tor = after.relay(circuit)) {
            HttpResponse<String> again = openRegistration(http, tor);
            assertEquals(200, again.statusCode(), "the same number after the restart: " + again.body());
        }
    }

    /** Opens a registration conversation (the OTR query, the admission puzzle solved if asked) and leaves it. */
    private static HttpResponse<String> openRegistration(HttpClient http, Front.Relay tor) throws Exception {
        HttpRequest.Builder query = HttpRequest.newBuilder(URI.create(tor.base() + "/create_session"))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString("?OTRv3?"));
        HttpResponse<String> a = http.send(query.build(), HttpResponse.BodyHandlers.ofString());
        if (a.statusCode() == 429 && a.body().contains("puzzle_required")) {
            String token = a.headers().firstValue(AdmissionPuzzle.PUZZLE_HEADER).orElseThrow();
            long counter = AdmissionPuzzle.solve(token, Integer.parseInt(
                    a.headers().firstValue(AdmissionPuzzle.BITS_HEADER).orElseThrow()), () -> false);
            a = http.send(query.header(AdmissionPuzzle.PUZZLE_HEADER, token)
                    .header(AdmissionPuzzle.COUNTER_HEADER, Long.toString(counter)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }
        return a;
    }

    /** The front serves only tor: a connection without tor's PROXY header gets no answer at all. */
    @Test
    void aConnectionWithoutTorsProxyHeaderIsClosedUnanswered() throws Exception {
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", front.port())) {
            s.setSoTimeout(30_000);
            s.getOutputStream().write(ascii("GET /pk HTTP/1.1\r\nHost: x\r\n\r\n"));
            byte[] got;
            try {
                got = s.getInputStream().readAllBytes();
            } catch (java.net.SocketException reset) {
                got = new byte[0];
            }
            assertEquals(0, got.length, new String(got, StandardCharsets.ISO_8859_1));
        }
    }
}
