package org.osms.gob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.security.KeyPair;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.it.Http;
import org.osms.protocol.AuditPage;
import org.osms.protocol.ServerKeyView;
import org.osms.protocol.Username;

/** The deployed server's gob, read by Go's encoding/gob and by this codec, equals its JSON. */
class GobEndpointsIT {
    private final Http http = Http.fromSystemProperty();

    @Test
    void goDecodesEveryPublicEndpointToTheSameValuesAsItsJson() throws Exception {
        GoToolchain.requireGo();
        OsmsClient client = new OsmsClient(URI.create(http.base()));
        Username name = Username.of("gob" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
        KeyPair key = KeyStoreFiles.generate();
        client.register(name, key, client.serverKey()).logout();

        GoToolchain.Result r = GoToolchain.gobcheck("check", http.base(), name.value());
        assertEquals(0, r.exit(), r.out() + r.err());
        assertTrue(r.out().contains("ok " + http.base() + "/user/" + name.value() + "/history"), r.out());
    }

    @Test
    void gobIsTheDefaultAndJsonIsOnRequest() throws Exception {
        byte[] body = java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(http.uri("/pk")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofByteArray()).body();
        ServerKeyView gob = GobBinding.decode(body, ServerKeyView.class, GobLimits.DEFAULT);
        assertEquals(http.get("/pk").json().getString("fingerprint"), gob.fingerprint());

        Http.Answer star = http.send(HttpRequest.newBuilder(http.uri("/audit?limit=2")).header("Accept", "*/*"));
        assertEquals("application/x-gob", star.contentType());
        Http.Answer json = http.send(HttpRequest.newBuilder(http.uri("/audit?limit=2"))
                .header("Accept", "application/json"));
        assertEquals("application/json", json.contentType());

        byte[] page = java.net.http.HttpClient.newHttpClient().send(HttpRequest.newBuilder(http.uri("/audit?limit=2"))
                .header("Accept", "application/x-gob").build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray())
                .body();
        AuditPage decoded = GobBinding.decode(page, AuditPage.class, GobLimits.DEFAULT);
        assertEquals(json.json().getJsonNumber("headSeq").longValue(), decoded.headSeq());
    }
}
