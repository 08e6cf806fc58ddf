package org.osms.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.net.URI;
import java.net.http.HttpRequest;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.client.OsmsException;
import org.osms.it.Http;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/**
 * The places where clients written from docs/protocol.md alone found the text and the server apart: each sentence of
 * the document they relied on, checked against the running server.
 */
class ProtocolConformanceIT {
    /** Number.MAX_SAFE_INTEGER, 2^53 - 1: the largest identity id the document allows. */
    private static final long MAX_SAFE_INTEGER = 9007199254740991L;

    private final Http http = Http.fromSystemProperty();
    private final OsmsClient client = new OsmsClient(URI.create(http.base()));

    @BeforeAll
    static void applicationIsUp() {
        Http.fromSystemProperty().awaitReady();
    }

    private static Username fresh(String prefix) {
        return Username.of(prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    private static JsonObject cmd(String name) {
        return Json.createObjectBuilder().add("command", name).build();
    }

    @Test
    void anEmptyUsernameNamesNoEndpoint() {
        for (String path : List.of("/user/", "/user//history")) {
            Http.Answer a = http.get(path);
            assertEquals(404, a.status(), path + ": " + a.body());
            assertEquals("not_found", a.error(), path);
        }
    }

    @Test
    void theServerKeyIsAtMost422BytesAnd564Base64Characters() {
        String publicKey = http.get("/pk").json().getString("publicKey");
        byte[] bytes = Base64.getDecoder().decode(publicKey);
        assertTrue(bytes.length <= 422, "a 1024/160-bit key serializes to at most 422 bytes: " + bytes.length);
        assertTrue(publicKey.length() <= 564, publicKey.length() + " base64 characters");
        // 2 + (4 + 128) + (4 + 20): type, p and q are always full length; only g and y can be shorter.
        assertTrue(bytes.length > 2 + 132 + 24 + 8, bytes.length + " bytes");
    }

    @Test
    void identityIdsAreExactJavaScriptNumbers() {
        for (int i = 0; i < 4; i++) {
            Username name = fresh("jsid");
            OsmsClient.Session s = client.register(name, KeyStoreFiles.generate(), client.serverKey());
            long id = s.command(cmd("whoami")).getJsonNumber("identityId").longValueExact();
            s.logout();
            assertTrue(id >= 1 && id <= MAX_SAFE_INTEGER, "identityId " + id + " is beyond 2^53 - 1");
            assertEquals(id, http.get("/user/" + name.value() + "/history").json()
                    .getJsonNumber("identityId").longValueExact());
            assertEquals((double) id, Double.parseDouble(Long.toString(id)), "a double carries it exactly");
        }
    }

    @Test
    void historyAndAuditSayNextAfterExactlyWhenMoreEntriesFollow() {
        Username name = fresh("paging");
        OsmsClient.Session s = client.register(name, KeyStoreFiles.generate(), client.serverKey());
        s.command(cmd("unpublish-key"));
        s.command(cmd("publish-key"));
        s.logout();
        String history = "/user/" + name.value() + "/history";

        JsonObject full = http.get(history + "?limit=3").json();
        assertEquals(3, full.getJsonArray("entries").size());
        assertFalse(full.containsKey("nextAfter"), "a full last page has no nextAfter");
        JsonObject first = http.get(history + "?limit=2").json();
        assertEquals(2, first.getJsonArray("entries").size());
        long next = first.getJsonNumber("nextAfter").longValueExact();
        assertEquals(first.getJsonArray("entries").getJsonObject(1).getJsonNumber("seq").longValueExact(), next);
        JsonObject last = http.get(history + "?limit=2&after=" + next).json();
        assertEquals(1, last.getJsonArray("entries").size());
        assertFalse(last.containsKey("nextAfter"));

        long head = http.get("/audit?limit=1").json().getJsonNumber("headSeq").longValueExact();
        JsonObject tail = http.get("/audit?after=" + (head - 2) + "&limit=2").json();
        assertEquals(2, tail.getJsonArray("entries").size());
        assertFalse(tail.containsKey("nextAfter"), "the page that reaches the head has no nextAfter");
        assertEquals(head - 1, http.get("/audit?after=" + (head - 3) + "&limit=2").json()
                .getJsonNumber("nextAfter").longValueExact());
        JsonObject beyond = http.get("/audit?after=" + head).json();
        assertEquals("[]", beyond.getJsonArray("entries").toString(), "an empty list is sent as []");
        assertFalse(beyond.containsKey("nextAfter"));
    }

    @ParameterizedTest(name = "after={0} -> {1}")
    @CsvSource({
        "01, 200",                    // leading zeros are allowed
        "0000000000000000001, 200",   // 19 digits
        "9223372036854775807, 200",   // 2^63 - 1
        "9223372036854775808, 400",   // 2^63
        "00000000000000000001, 400",  // 20 digits
        "%2B1, 400",                  // +1
        "-0, 400",
        "1.0, 400",
        "1e3, 400",
        "%201, 400",                  // a space
        "'', 400",                    // empty
    })
    void afterIsAPlainDecimalFrom0To2Pow63Minus1(String after, int status) {
        for (String path : List.of("/audit?after=", "/user/nobodyholdsthis0/history?after=")) {
            Http.Answer a = http.get(path + after);
            if (status == 400) {
                assertEquals(400, a.status(), path + after);
                assertEquals("bad_after", a.error());
            } else if (path.startsWith("/audit")) {
                assertEquals(200, a.status(), path + after);
            } else {
                assertEquals("unknown_user", a.error(), "after was accepted, the name is unknown");
            }
        }
        if (after.equals("01")) {
            assertEquals(http.get("/audit?after=1&limit=3").json().getJsonArray("entries"),
                    http.get("/audit?after=01&limit=3").json().getJsonArray("entries"));
        }
    }

    @ParameterizedTest(name = "Accept: {0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "*/*                                      | application/x-gob",
        "application/*                            | application/x-gob",
        "application/json, application/x-gob      | application/x-gob",   // a tie goes to gob
        "application/json, application/x-gob;q=0.5 | application/json",
        "application/json;q=0.5, */*;q=0.8        | application/x-gob",
        "application/x-gob;q=0, application/json  | application/json",
        "application/x-gob;q=0.1, application/*;q=0.2 | application/x-gob", // the wider range lends gob its q
        "text/html, application/x-gob;q=0         | application/x-gob",   // q=0 still matches (documented)
        "text/html, text/plain;q=0.5              | 406",
    })
    void theAcceptHeaderIsReadWithItsQualityValues(String accept, String expected) {
        Http.Answer a = http.send(HttpRequest.newBuilder(http.uri("/pk")).header("Accept", accept).GET());
        if (expected.equals("406")) {
            assertEquals(406, a.status());
            assertEquals("not_acceptable", a.error());
        } else {
            assertEquals(200, a.status(), a.body());
            assertTrue(a.contentType().startsWith(expected), accept + " -> " + a.contentType());
        }
    }

    @Test
    void aNameItsIdentityRenamedAwayFromHasNoHistoryUnderThatName() {
        Username old = fresh("before");
        Username now = fresh("after");
        OsmsClient.Session s = client.register(old, KeyStoreFiles.generate(), client.serverKey());
        s.command(Json.createObjectBuilder().add("command", "rename").add("username", now.value()).build());
        s.logout();
        Http.Answer a = http.get("/user/" + old.value() + "/history");
        assertEquals(404, a.status());
        assertEquals("unknown_user", a.error());
        JsonObject history = http.get("/user/" + now.value() + "/history").json();
        assertEquals(old.value(), history.getJsonArray("entries").getJsonObject(1).getString("usernameBefore"));
    }

    @Test
    void sessionRefusalsOutsideTheChannelUseNoSeqAndRefusalsInsideUseTheirs() {
        Username name = fresh("seqs");
        KeyPair key = KeyStoreFiles.generate();
        client.register(name, key, client.serverKey()).logout();
        OsmsClient.Session s = client.login(name, key, client.serverKey());

        OsmsException notJson = assertThrows(OsmsException.class, () -> raw(s, "this is not JSON"));
        assertEquals(400, notJson.status());
        assertEquals("bad_command", notJson.code());
        OsmsException noSeq = assertThrows(OsmsException.class, () -> raw(s, "{\"command\":\"whoami\"}"));
        assertEquals("bad_command", noSeq.code());
        OsmsException textSeq = assertThrows(OsmsException.class,
                () -> raw(s, "{\"command\":\"whoami\",\"seq\":\"1\"}"));
        assertEquals("bad_command", textSeq.code());
        OsmsException fractionSeq = assertThrows(OsmsException.class,
                () -> raw(s, "{\"command\":\"whoami\",\"seq\":1.5}"));
        assertEquals("bad_command", fractionSeq.code());

        // seq 1 is still free: the refusals above used none. A refusal inside the channel uses its seq.
        JsonObject refused = s.sendCommand(Json.createObjectBuilder().add("command", "rename")
                .add("username", name.value()).build());
        assertEquals(1, refused.getInt("seq"));
        assertFalse(refused.getBoolean("ok"));
        assertEquals("no_change", refused.getString("error"));
        OsmsException again = assertThrows(OsmsException.class,
                () -> raw(s, "{\"command\":\"whoami\",\"seq\":1}"));
        assertEquals(409, again.status());
        assertEquals("replayed", again.code());
        assertEquals(2, s.command(cmd("whoami")).getInt("seq"));

        // One identity, two live conversations: each works, and each sees the other's changes.
        OsmsClient.Session second = client.login(name, key, client.serverKey());
        second.command(cmd("unpublish-key"));
        assertEquals("unpublished", s.command(cmd("whoami")).getString("status"));
        s.logout();
        assertEquals("unpublished", second.command(cmd("whoami")).getString("status"));
        second.logout();
    }

    @Test
    void registerWantsTheCounterAsAJsonInteger() {
        OsmsClient.Session s = client.registration(KeyStoreFiles.generate(), client.serverKey());
        Username name = fresh("counter");
        for (String counter : List.of("\"0\"", "1.5", "-1e400", "null")) {
            JsonObject reply = s.sendCommand(Json.createObjectBuilder().add("command", "register")
                    .add("username", name.value()).add("counter", jsonValue(counter)).build());
            assertFalse(reply.getBoolean("ok"), counter);
            assertEquals("bad_command", reply.getString("error"), counter);
        }
        assertEquals(404, http.get("/user/" + name.value()).status(), "nothing was registered");
        s.logout();
    }

    private static jakarta.json.JsonValue jsonValue(String text) {
        try (var r = Json.createReader(new java.io.StringReader("[" + text + "]"))) {
            return r.readArray().get(0);
        }
    }

    /**
     * Plaintexts the JSON parser refuses with something other than its own parse exception (a number it cannot hold,
     * a literal past its length limit, nesting past its depth limit), and text after the command's object: each is a
     * malformed command, 400 bad_command outside the channel, and the conversation goes on with its seq unused.
     */
    @Test
    void commandsTheParserCannotReadAreRefusedAndTheConversationGoesOn() {
        OsmsClient.Session s = registeredAndLoggedIn("parse");
        List<String> malformed = List.of(
                "{\"command\":\"fetch\",\"seq\":1,\"after\":1e9999999999}",
                "{\"command\":\"whoami\",\"seq\":1,\"x\":1E-2147483648}",
                "{\"command\":\"whoami\",\"seq\":1,\"x\":" + "7".repeat(1200) + "}",
                "{\"command\":\"whoami\",\"seq\":1,\"x\":" + "[".repeat(1001) + "]".repeat(1001) + "}",
                "{\"command\":\"whoami\",\"seq\":1}{",
                "{\"command\":\"whoami\",\"seq\":1} {\"command\":\"whoami\",\"seq\":2}");
        for (String plaintext : malformed) {
            String what = plaintext.substring(0, Math.min(60, plaintext.length()));
            OsmsException refused = assertThrows(OsmsException.class, () -> raw(s, plaintext), what);
            assertEquals(400, refused.status(), what);
            assertEquals("bad_command", refused.code(), what);
        }
        // the conversation lives on, and none of the refused plaintexts used seq 1
        assertEquals(1, s.command(cmd("whoami")).getInt("seq"));
        s.logout();
    }

    /** A new identity, registered, then logged in afresh: the conversation a test sends its plaintexts in. */
    private OsmsClient.Session registeredAndLoggedIn(String prefix) {
        Username name = fresh(prefix);
        KeyPair key = KeyStoreFiles.generate();
        client.register(name, key, client.serverKey()).logout();
        return client.login(name, key, client.serverKey());
    }

    /** Sends a plaintext as it is, without the client's own seq: the answer is the refusal outside the channel. */
    private static JsonObject raw(OsmsClient.Session s, String plaintext) {
        List<String> wire = s.encrypt(plaintext);
        return s.postRaw("session", wire.get(wire.size() - 1));
    }
}
