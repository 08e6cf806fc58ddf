package org.osms.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.osms.it.AuditPages;
import org.osms.it.Http;
import org.osms.protocol.OtrPublicKey;

/** The public endpoints over real HTTP against the deployed WAR, as any client or auditor uses them. */
class PublicEndpointsIT {
    private final Http http = Http.fromSystemProperty();

    @Test
    void theServerKeyIsAValidOtrKeyWithItsOwnFingerprint() {
        Http.Answer a = http.get("/pk");
        assertEquals(200, a.status());
        assertTrue(a.contentType().startsWith("application/json"), a.contentType());
        JsonObject pk = a.json();
        OtrPublicKey key = OtrPublicKey.parse(Base64.getDecoder().decode(pk.getString("publicKey")));
        assertEquals(key.fingerprint().hex(), pk.getString("fingerprint"));
        assertEquals(1024, key.dsaKey().getParams().getP().bitLength());
        assertEquals(pk, http.get("/pk").json(), "the key is stable between requests");
    }

    @Test
    void anUnknownUserIs404() {
        Http.Answer a = http.get("/user/nobodyhasthisname0000");
        assertEquals(404, a.status());
        assertEquals("unknown_user", a.error());
        assertEquals(404, http.get("/user/nobodyhasthisname0000/history").status());
    }

    @ParameterizedTest(name = "{0} -> {1} {2}")
    @CsvSource({
        "/user/bad!name, 400, bad_username",                                   // not alphanumeric
        "/user/abcdefghijklmnopqrstuvwxyz0123456, 400, bad_username",          // 33 characters
        "/user/%C3%A5lice, 400, bad_username",                                 // non-ASCII letter
        "/user/al%20ice, 400, bad_username",                                   // space
        "/user/alice/history?after=-1, 400, bad_after",
        "/user/alice/history?limit=100000, 400, bad_limit",
        "/audit?after=abc, 400, bad_after",
        "/audit?after=99999999999999999999, 400, bad_after",                   // overflows a long
        "/audit?limit=0, 400, bad_limit",
        "/audit?limit=1001, 400, bad_limit",
        "/no/such/endpoint, 404, not_found",
        "/user, 404, not_found",
    })
    void badInputGetsAClearErrorDocument(String path, int status, String code) {
        Http.Answer a = http.get(path);
        assertEquals(status, a.status(), a.body());
        assertEquals(code, a.error());
        assertFalse(a.json().getString("message").isBlank());
        assertNoInternals(a);
    }

    @Test
    void wrongMethodsAndMediaTypesAre4xxNever500() {
        Http.Answer post = http.send(HttpRequest.newBuilder(http.uri("/pk"))
                .POST(HttpRequest.BodyPublishers.ofString("x")));
        assertEquals(405, post.status());
        assertNoInternals(post);
        Http.Answer delete = http.send(HttpRequest.newBuilder(http.uri("/audit")).DELETE());
        assertEquals(405, delete.status());
        Http.Answer html = http.send(HttpRequest.newBuilder(http.uri("/pk")).header("Accept", "text/html").GET());
        assertEquals(406, html.status());
        assertNoInternals(html);
    }

    @Test
    void theWholeAuditLogRecomputesFromItsPublishedPages() {
        int pageSize = 7;
        var chain = AuditPages.verifyWholeLog(http, pageSize);
        assertEquals(http.get("/audit?limit=1").json().getJsonNumber("headSeq").longValue(), chain.lastSeq());
    }

    @Test
    void nothingAnswersOnANonLoopbackAddress() throws IOException {
        int port = URI.create(http.base()).getPort();
        List<InetAddress> routable = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            for (InetAddress address : Collections.list(nic.getInetAddresses())) {
                if (!address.isLoopbackAddress() && !address.isLinkLocalAddress()) {
                    routable.add(address);
                }
            }
        }
        assertFalse(routable.isEmpty(), "this test needs a machine with a non-loopback address");
        for (InetAddress address : routable) {
            try (Socket s = new Socket()) {
                assertThrows(IOException.class, () -> s.connect(new InetSocketAddress(address, port), 3000),
                        "OSMS must not listen on " + address);
            }
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(Inet4Address.getLoopbackAddress(), port), 3000);
        }
    }

    private static void assertNoInternals(Http.Answer a) {
        assertTrue(a.contentType().startsWith("application/json"), "error documents are JSON: " + a.contentType());
        assertFalse(a.body().contains("Exception"), a.body());
        assertFalse(a.body().contains("at org."), a.body());
    }
}
