package org.osms.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.client.OsmsException;
import org.osms.it.Http;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/** Hostile requests over real HTTP: each gets a 4xx with OSMS's error document, costs little and leaves nothing. */
class HostileInputIT {
    private final Http http = Http.fromSystemProperty();
    private final URI base = URI.create(http.base());

    private Http.Answer post(String path, String body) {
        return http.send(HttpRequest.newBuilder(http.uri(path)).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private static void assertErrorDocument(Http.Answer a, int status, String code) {
        assertEquals(status, a.status(), a.body());
        assertTrue(a.contentType().startsWith("application/json"), a.contentType());
        JsonObject doc = a.json();
        assertEquals(code, doc.getString("error"));
        assertEquals(2, doc.size(), "exactly error and message");
    }

    /** A fresh registration conversation's first step succeeds: no hostile request took a handshake slot. */
    private void aHandshakeStillStarts() {
        Http.Answer ok = post("/create_session", "?OTRv3?");
        assertEquals(200, ok.status(), ok.body());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "?OTR:AAMCEjRWeAAAAAB/////AAAAAAAAAAA=.", // claims 2 GiB: was a 500
        "?OTR:AAMCEjRWeAAAAABAAAAAAAAAAAAAAAA=.", // claims 1 GiB: was a 200 and a gigabyte kept
        "?OTR|12345678|00000000,00001,00002,AAMCEjRWeAAAAAB/////,", // a fragment: kept in otr4j's buffer before
        "?OTR,00001,00002,AAMC,",
    })
    void hostileFirstMessagesAre400AndLeaveNoConversation(String body) {
        int slots = Integer.getInteger("osms.it.maxHandshakes", 64);
        for (int i = 0; i <= slots; i++) {
            Http.Answer a = post("/create_session", body);
            assertErrorDocument(a, 400, "bad_otr_message");
            assertNull(a.header("OSMS-Session"), "no conversation was kept");
            assertFalse(a.body().contains(body.substring(5, 12)), "nothing of the request is echoed");
        }
        // more refusals than there are handshake slots, and a handshake still starts: none was kept
        aHandshakeStillStarts();
    }

    @Test
    void aReplayedOtrDataMessageIsRefusedAtTheOtrLayerAndTheCommandRunsOnce() {
        OsmsClient client = new OsmsClient(base);
        OtrPublicKey serverKey = client.serverKey();
        Username name = Username.of("replay" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
        KeyPair key = KeyStoreFiles.generate();
        client.register(name, key, serverKey).logout();
        OsmsClient.Session s = client.login(name, key, serverKey);
        Username renamed = Username.of("moved" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
        String rename = Json.createObjectBuilder().add("command", "rename").add("username", renamed.value())
                .add("seq", 1).build().toString();
        List<String> wire = s.encrypt(rename);
        String message = wire.get(wire.size() - 1);
        s.postRaw("session", message);

        OsmsException replay = assertThrows(OsmsException.class, () -> s.postRaw("session", message));
        assertEquals(400, replay.status());
        assertEquals("bad_otr_message", replay.code());

        assertEquals(200, http.get("/user/" + renamed.value()).status());
        JsonObject history = http.get("/user/" + renamed.value() + "/history").json();
        long renames = history.getJsonArray("entries").stream()
                .filter(e -> "renamed".equals(e.asJsonObject().getString("event", ""))).count();
        assertEquals(1, renames, history.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {"application/json;q=abc", "application/json;q=", "*/*;q=abc", "application/json;q=2",
        "application/json;;q=0.5=", "text/"})
    void aMalformedAcceptIs400OnEveryPublicEndpoint(String accept) {
        for (String path : List.of("/pk", "/user/alice", "/user/alice/history", "/audit")) {
            Http.Answer a = http.send(HttpRequest.newBuilder(http.uri(path)).header("Accept", accept).GET());
            assertErrorDocument(a, 400, "bad_header");
        }
    }

    /**
     * Hundreds of parameters in one media range, or one long quoted value, under the filter's 4,096 characters: read
     * in one pass. The filter's regular expressions recursed once per parameter and overflowed the stack: a 500 with
     * a stack trace in the log, for anyone, on every endpoint.
     */
    @Test
    void manyParametersInANegotiationHeaderAreReadAndAnswered() {
        String manyParameters = "application/json" + ";x=y".repeat(800);
        String longQuoted = "application/json;x=\"" + "\\\"".repeat(1_500) + "\"";
        for (String accept : List.of(manyParameters, longQuoted)) {
            Http.Answer a = http.send(HttpRequest.newBuilder(http.uri("/pk")).header("Accept", accept).GET());
            assertEquals(200, a.status(), a.body());
            assertTrue(a.contentType().startsWith("application/json"));
        }
        Http.Answer malformed = http.send(HttpRequest.newBuilder(http.uri("/pk"))
                .header("Accept", manyParameters + ";q=abc").GET());
        assertErrorDocument(malformed, 400, "bad_header");
        Http.Answer language = http.send(HttpRequest.newBuilder(http.uri("/pk")).header("Accept", "application/json")
                .header("Accept-Language", "en" + ";a=b".repeat(800)).GET());
        assertEquals(200, language.status(), language.body());
    }

    @Test
    void wellFormedListsWithWeightsStillNegotiate() {
        Http.Answer a = http.send(HttpRequest.newBuilder(http.uri("/pk"))
                .header("Accept", "application/x-gob;q=0.1, application/json;q=1.0, */*;q=0").GET());
        assertEquals(200, a.status());
        assertTrue(a.contentType().startsWith("application/json"));
    }

    /**
     * Well-formed Accept lists the framework cannot split by itself: empty elements, commas and escaped quotes in
     * quoted parameters. Each negotiates by its weights on every public endpoint, as the same list without them does;
     * they were refused 400 with a warning and a stack trace in the log for each request (an escaped backslash before
     * a closing quote, 400 bad_header).
     */
    @Test
    void acceptListsWithEmptyElementsAndQuotedCommasNegotiateByTheirWeights() throws IOException {
        java.nio.file.Path log = new org.osms.it.LibertyServer(System.getProperty("osms.it.serverName")).messagesLog();
        long logBefore = java.nio.file.Files.size(log);
        String json = "application/json";
        String gob = "application/x-gob";
        java.util.Map<String, String> chosen = new java.util.LinkedHashMap<>();
        chosen.put("application/x-gob;q=0.1, , application/json", json);
        chosen.put("application/json;q=0.1, ,application/x-gob", gob);
        chosen.put(",application/json;x=\"a,b\"", json);
        chosen.put("application/x-gob;x=\"1,2\";q=1, application/json;q=0.5", gob);
        chosen.put("text/plain;x=\"\\\\\", application/json", json);
        chosen.put("application/json;x=\"a\\\",b\", , ", json);
        Http.Answer plain = http.send(HttpRequest.newBuilder(http.uri("/pk")).GET());
        chosen.put(" , ,", plain.contentType().split(";")[0]); // only blanks: as if there were none
        OsmsClient client = new OsmsClient(base);
        String name = "accept" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        client.register(Username.of(name), KeyStoreFiles.generate(), client.serverKey()).logout();
        for (String path : List.of("/pk", "/pk/history", "/user/" + name, "/user/" + name + "/history", "/audit")) {
            for (var c : chosen.entrySet()) {
                Http.Answer a = http.send(HttpRequest.newBuilder(http.uri(path)).header("Accept", c.getKey()).GET());
                assertEquals(200, a.status(), path + " " + c.getKey() + ": " + a.body());
                assertEquals(c.getValue(), a.contentType().split(";")[0], path + " " + c.getKey());
            }
        }
        // the list split over several Accept lines, one of them empty
        Http.Answer lines = http.send(HttpRequest.newBuilder(http.uri("/pk")).header("Accept", "application/json")
                .header("Accept", "").header("Accept", "application/x-gob;q=0.1").GET());
        assertEquals(200, lines.status(), lines.body());
        assertEquals(json, lines.contentType().split(";")[0]);
        String logged = new String(java.nio.file.Files.readAllBytes(log), StandardCharsets.UTF_8)
                .substring((int) logBefore);
        assertFalse(logged.contains("RESTEASY"), "nothing logged by the framework for these requests:\n" + logged);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Accept-Charset: utf-8;q=abc", "Accept-Language: ;q=abc", "Accept-Language: en;q=1.5"})
    void otherMalformedNegotiationHeadersAre400(String header) {
        String[] h = header.split(": ", 2);
        Http.Answer a = http.send(HttpRequest.newBuilder(http.uri("/pk")).header("Accept", "application/json")
                .header(h[0], h[1]).GET());
        assertErrorDocument(a, 400, "bad_header");
    }

    @ParameterizedTest
    @ValueSource(strings = {";;", "text/plain;charset=abc;q", "text/plain;q=abc"})
    void aMalformedContentTypeIs400AndStartsNothing(String contentType) {
        Http.Answer a = http.send(HttpRequest.newBuilder(http.uri("/create_session"))
                .header("Content-Type", contentType).POST(HttpRequest.BodyPublishers.ofString("?OTRv3?")));
        assertErrorDocument(a, 400, "bad_header");
        assertNull(a.header("OSMS-Session"));
    }

    // --- raw sockets: what the container itself answers ---

    /** Sends raw bytes; returns the answer's head and body (as far as its Content-Length, or to the close). */
    private String raw(byte[] request) throws IOException {
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            try {
                socket.getOutputStream().write(request);
                socket.getOutputStream().flush();
            } catch (java.net.SocketException e) {
                // the server answered and closed before taking the whole request: read what it said
            }
            return readAnswer(socket.getInputStream());
        }
    }

    private static String readAnswer(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int length = -1;
        try {
            for (int b = in.read(); b >= 0; b = in.read()) {
                out.write(b);
                String text = out.toString(StandardCharsets.ISO_8859_1);
                int head = text.indexOf("\r\n\r\n");
                if (head >= 0 && length < 0) {
                    java.util.regex.Matcher m = java.util.regex.Pattern
                            .compile("(?im)^Content-Length:\\s*(\\d+)").matcher(text.substring(0, head));
                    length = m.find() ? Integer.parseInt(m.group(1)) : Integer.MAX_VALUE;
                }
                if (head >= 0 && out.size() >= head + 4 + (long) length) {
                    break;
                }
            }
        } catch (java.net.SocketException e) {
            // the server closed after answering: what arrived is the answer
        }
        return out.toString(StandardCharsets.ISO_8859_1);
    }

    private static String rawBody(String answer) {
        int split = answer.indexOf("\r\n\r\n");
        return split < 0 ? "" : answer.substring(split + 4);
    }

    @Test
    void anOversizedBodyIs413WithTheErrorDocument() throws IOException {
        byte[] head = ("POST /create_session HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 2000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        String answer = raw(head);
        assertTrue(answer.startsWith("HTTP/1.1 413 "), answer);
        assertEquals("{\"error\":\"too_large\",\"message\":\"The body is longer than 65536 bytes.\"}",
                rawBody(answer));
    }

    /**
     * What Liberty's HTTP channel answers itself, before any application code runs: an empty body, nothing of the
     * request echoed. (A URI with a bad percent-encoding such as {@code /user/%00} is answered by the web container's
     * {@code WebContainer.sendBadRequestResponse}, which repeats the URI HTML-escaped and has no hook: see
     * docs/protocol.md.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"headers", "http09", "longUri"})
    void requestsTheContainerRefusesEchoNothing(String which) throws IOException {
        String marker = "ECHO" + UUID.randomUUID().toString().replace("-", "");
        String request = switch (which) {
            case "headers" -> {
                StringBuilder b = new StringBuilder("GET /pk?" + marker + " HTTP/1.1\r\nHost: x\r\n");
                for (int i = 0; i < 10_000; i++) {
                    b.append("X-").append(i).append(": ").append(marker).append("\r\n");
                }
                yield b.append("\r\n").toString();
            }
            case "http09" -> "GET /pk" + marker + "\r\n\r\n";
            case "longUri" -> "GET /user/" + marker + "a".repeat(100_000) + " HTTP/1.1\r\nHost: x\r\n\r\n";
            default -> throw new IllegalArgumentException(which);
        };
        String answer = raw(request.getBytes(StandardCharsets.US_ASCII));
        assertTrue(answer.matches("(?s)HTTP/1\\.1 (4\\d\\d|505) .*"), answer);
        assertFalse(answer.contains(marker), "the answer echoes the request: " + answer);
    }

    // --- slow request bodies ---

    private long pkMillis() {
        long start = System.nanoTime();
        assertEquals(200, http.get("/pk").status());
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
    }

    private long slowestOf(int n) {
        long worst = 0;
        for (int i = 0; i < n; i++) {
            worst = Math.max(worst, pkMillis());
        }
        return worst;
    }

    @Test
    void slowBodiesDoNotSlowOthersAndAreCutOff() throws Exception {
        long quiet = slowestOf(5);
        List<Socket> slow = new ArrayList<>();
        byte[] head = ("POST /create_session HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 60000\r\n\r\n?OTR").getBytes(StandardCharsets.US_ASCII);
        try {
            for (int i = 0; i < 300; i++) {
                Socket s = new Socket(base.getHost(), base.getPort());
                s.setSoTimeout(1);
                s.getOutputStream().write(head);
                slow.add(s);
            }
            long underAttack = 0;
            long started = System.nanoTime();
            boolean[] cut = new boolean[slow.size()];
            int answered = 0;
            // trickle one byte per second on every connection, measure /pk meanwhile, until all were cut off
            while (System.nanoTime() - started < TimeUnit.SECONDS.toNanos(40) && answered < slow.size()) {
                for (int i = 0; i < slow.size(); i++) {
                    if (!cut[i] && cutOff(slow.get(i))) {
                        cut[i] = true;
                        answered++;
                    } else if (!cut[i]) {
                        try {
                            slow.get(i).getOutputStream().write('A');
                        } catch (IOException e) {
                            // closed by the server: noticed on the next read
                        }
                    }
                }
                underAttack = Math.max(underAttack, pkMillis());
                Thread.sleep(1000);
            }
            long bound = 20 * quiet + 5000;
            assertTrue(underAttack <= bound, "GET /pk took " + underAttack + " ms under 300 slow bodies, "
                    + quiet + " ms without; at most " + bound + " allowed");
            assertEquals(slow.size(), answered, "every slow body was cut off within 40 s");
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
        aHandshakeStillStarts();
    }

    private Http.Answer postOnCircuit(String circuit, String body) {
        return http.send(HttpRequest.newBuilder(http.uri("/create_session")).header("Content-Type", "text/plain")
                .header("OSMS-Circuit", circuit).POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    /**
     * One Tor circuit (as the front names it in OSMS-Circuit) may hold only two of the server's body reads: its
     * third body is refused at once with 429 circuit_busy, while other circuits and local clients go on as before, and the
     * circuit's share comes back once its reads end.
     */
    @Test
    void oneCircuitHoldsAtMostTwoBodyReads() throws Exception {
        String prefix = "fc00:dead:beef:4dad::" + Integer.toHexString(0x1000 + new java.util.Random().nextInt(0xe000));
        String greedy = prefix + ":1";
        List<Socket> slow = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                Socket s = new Socket(base.getHost(), base.getPort());
                s.setSoTimeout(1);
                s.getOutputStream().write(("POST /create_session HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\n"
                        + "OSMS-Circuit: " + greedy + "\r\nContent-Length: 60000\r\n\r\n?OTR")
                        .getBytes(StandardCharsets.US_ASCII));
                slow.add(s);
            }
            Thread.sleep(500); // both reads under way
            Http.Answer third = postOnCircuit(greedy, "?OTRv3?");
            assertErrorDocument(third, 429, "circuit_busy");
            assertEquals("2", third.header("Retry-After"));
            assertEquals(200, postOnCircuit(prefix + ":2", "?OTRv3?").status(), "another circuit is not refused");
            aHandshakeStillStarts(); // a local client neither
        } finally {
            for (Socket s : slow) {
                s.close();
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        int status;
        do {
            Thread.sleep(200);
            status = postOnCircuit(greedy, "?OTRv3?").status();
        } while (status == 429 && System.nanoTime() < deadline);
        assertEquals(200, status, "the circuit's share came back once its reads ended");
    }

    /** Whether the server has answered (or closed) this connection. */
    private static boolean cutOff(Socket s) {
        try {
            s.getInputStream().read(); // a byte of an answer, or -1: closed
            return true;
        } catch (java.net.SocketTimeoutException e) {
            return false;
        } catch (IOException e) {
            return true;
        }
    }
}
