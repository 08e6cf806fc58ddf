package org.osms.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsException;
import org.osms.client.OsmsClient;
import org.osms.it.AdminCredentials;
import org.osms.it.AdminEndpoint;
import org.osms.it.Deployments;
import org.osms.it.Http;
import org.osms.it.LibertyServer;
import org.osms.it.RestConnector;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/**
 * The operator's console: health, metrics, OpenAPI, the Admin Center and the REST connector answer on the loopback
 * HTTPS admin endpoint only, to the administrator the environment names, and never on the public port tor forwards.
 */
class OperatorConsoleIT {
    private static final String ADMINISTRATION_MBEAN = "org.osms:type=Administration";
    private static final String APPLICATION_MBEAN = "WebSphere:service=com.ibm.websphere.application.ApplicationMBean,"
            + "name=osms";

    private final Http http = Http.fromSystemProperty();
    private final AdminEndpoint admin = AdminEndpoint.fromSystemProperties();
    private final AdminCredentials credentials = AdminCredentials.fromSystemProperty();

    @ParameterizedTest
    @ValueSource(strings = {"/health", "/health/ready", "/health/live", "/metrics", "/openapi", "/openapi/ui",
            "/openapi/ui/", "/adminCenter", "/adminCenter/", "/IBMJMXConnectorREST",
            "/IBMJMXConnectorREST/mbeans", "/ibm/api/", "/ibm/adminCenter/explore-1.0/"})
    void thePublicPortServesNoneOfTheConsole(String path) {
        Http.Answer a = http.get(path + (path.contains("?") ? "&" : "?") + "echo-marker-7f3a");
        assertEquals(404, a.status(), a.body());
        assertTrue(a.contentType().startsWith("application/json"), a.contentType());
        assertEquals("not_found", a.error());
        assertEquals(2, a.json().size(), "OSMS's error document and nothing else: " + a.body());
        String body = a.body().toLowerCase(Locale.ROOT);
        for (String leak : new String[] {"liberty", "srve", "cwwk", "<html", "echo-marker",
                path.replaceAll("[^A-Za-z]", " ").trim().split(" ")[0].toLowerCase(Locale.ROOT)}) {
            assertFalse(body.contains(leak), "the answer to " + path + " shows '" + leak + "': " + a.body());
        }
        // the same path as the onion service forwards it: Host is the .onion name, port 80 implied
        String viaTor = rawGet(path, "abcdefghijklmnopqrstuvwxyz234567abcdefghijklmnopqrstuvw.onion");
        assertTrue(viaTor.startsWith("HTTP/1.1 404 "), viaTor);
        assertTrue(viaTor.contains("\"error\":\"not_found\""), viaTor);
    }

    /** One request written by hand, with a Host header the JDK's client would not send; the whole answer. */
    private String rawGet(String path, String host) {
        return raw("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAccept: application/json\r\n");
    }

    /** {@code head} (request line and headers, each ending in CRLF) and Connection: close; the whole answer. */
    private String raw(String head) {
        URI base = URI.create(http.base());
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write((head + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void readinessOnTheAdminEndpointNamesTheDatabaseAndTheServerKey() {
        Http.Answer a = admin.get("/health/ready");
        assertEquals(200, a.status(), a.body());
        JsonObject health = a.json();
        assertEquals("UP", health.getString("status"));
        Map<String, String> checks = new HashMap<>();
        for (JsonValue v : health.getJsonArray("checks")) {
            JsonObject check = v.asJsonObject();
            // in-container test deployments are copies of the application, with the same checks
            String earlier = checks.put(check.getString("name"), check.getString("status"));
            assertTrue(earlier == null || earlier.equals(check.getString("status")));
        }
        assertEquals(Map.of("osms-database", "UP", "osms-server-key", "UP"), checks);
    }

    @Test
    void metricsNeedTheAdministratorAndCountALoginOfTheReferenceClient() {
        assertEquals(401, admin.get("/metrics").status(), "no credentials");
        assertEquals(401, admin.get("/metrics", credentials.user(), credentials.password() + "x").status(),
                "a wrong password");
        assertEquals(401, admin.get("/metrics", credentials.user() + "x", credentials.password()).status(),
                "a wrong user");

        Map<String, Double> before = osmsMetrics();
        OsmsClient client = new OsmsClient(URI.create(http.base()));
        OtrPublicKey serverKey = client.serverKey();
        Username name = Deployments.freshUsername("metrics");
        KeyPair key = KeyStoreFiles.generate();
        client.register(name, key, serverKey).logout();
        OsmsClient.Session s = client.login(name, key, serverKey);
        JsonObject me = s.command(Json.createObjectBuilder().add("command", "whoami").build());
        assertEquals(name.value(), me.getString("username"));
        assertTrue(osmsMetrics().get("osms_conversations_live") >= 1.0, "this login is live");
        s.logout();
        Map<String, Double> after = osmsMetrics();

        // a registration conversation and a login: two handshakes started and completed, none failed
        assertEquals(2.0, delta(before, after, "osms_handshakes_started_total"), after.toString());
        assertEquals(2.0, delta(before, after, "osms_handshakes_completed_total"));
        assertEquals(0.0, delta(before, after, "osms_handshakes_failed_total"));
        assertEquals(1.0, delta(before, after, "osms_commands_total{command=\"whoami\"}"));
        assertEquals(1.0, delta(before, after, "osms_commands_total{command=\"register\"}"));
        assertEquals(0.0, delta(before, after, "osms_messages_relayed_total"), "a login relays nothing");
        assertTrue(delta(before, after, "osms_requests_seconds_count{endpoint=\"/create_session\"}") >= 2.0);

        String text = admin.get("/metrics", credentials.user(), credentials.password()).body();
        assertFalse(text.contains(name.value()), "a username in the metrics");
        assertFalse(text.contains(OtrPublicKey.of(key.getPublic()).fingerprint().hex()), "a fingerprint");
        assertFalse(text.contains(s.id()), "a session id");
    }

    /**
     * A request method a client makes up names no metric: Liberty's own HTTP metrics kept a timer for every method
     * named (memory any client could make the server hold for good), and are off. OSMS counts every answer by the
     * endpoint and the status it chose, the refusals of its request filters too.
     */
    @Test
    void answersAreCountedByEndpointAndStatusAndAMadeUpMethodNamesNoMetric() {
        Map<String, Double> before = osmsMetrics();
        String prefix = "MADEUP" + Long.toString(System.nanoTime() % 1_000_000, 26).toUpperCase(Locale.ROOT)
                .replaceAll("[0-9]", "Q");
        for (int i = 0; i < 30; i++) {
            String method = prefix + (char) ('A' + i / 26) + (char) ('A' + i % 26);
            String answer = raw(method + " /pk HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n");
            assertTrue(answer.startsWith("HTTP/1.1 405 "), answer);
        }
        String tooLong = raw("POST /session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: text/plain\r\n"
                + "Content-Length: 70000\r\n");
        assertTrue(tooLong.startsWith("HTTP/1.1 413 ") && tooLong.contains("\"too_large\""), tooLong);
        String badAccept = raw("GET /pk HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json;q=abc\r\n");
        assertTrue(badAccept.startsWith("HTTP/1.1 400 ") && badAccept.contains("\"bad_header\""), badAccept);
        assertEquals(200, http.get("/pk").status());
        Map<String, Double> after = osmsMetrics();

        assertEquals(30.0, delta(before, after, "osms_responses_total{endpoint=\"unmatched\",status=\"405\"}"),
                after.toString());
        assertEquals(0.0, delta(before, after, "osms_responses_total{endpoint=\"refused_early\",status=\"405\"}"),
                "each answer counted once");
        assertEquals(1.0, delta(before, after, "osms_responses_total{endpoint=\"refused_early\",status=\"413\"}"));
        assertEquals(1.0, delta(before, after, "osms_responses_total{endpoint=\"refused_early\",status=\"400\"}"));
        assertEquals(1.0, delta(before, after, "osms_responses_total{endpoint=\"/pk\",status=\"200\"}"));
        String all = admin.get("/metrics", credentials.user(), credentials.password()).body();
        assertFalse(all.contains(prefix), "a method a client named is in the metrics");
    }

    /**
     * The REST connector's file transfer gives the administrator the server's logs and no other file of the server:
     * not server.env (the administrator's and the keystore's passwords), not the console's keystore, not the
     * configuration. (Liberty's default would read them all, and the default data directory with the embedded
     * database and the server's private OTR key.)
     */
    @Test
    void theRestConnectorHandsOutTheLogsAndNoOtherFileOfTheServer() {
        Path server = new LibertyServer(System.getProperty("osms.it.serverName")).directory().toAbsolutePath()
                .normalize();
        Http.Answer log = file(server.resolve("logs/messages.log"));
        assertEquals(200, log.status(), log.body());
        assertTrue(log.body().contains("CWWKF0011I"), "the log itself");
        for (String secret : new String[] {"server.env", "resources/security/key.p12", "server.xml",
                "bootstrap.properties", "resources/security/ltpa.keys"}) {
            Http.Answer a = file(server.resolve(secret));
            assertTrue(a.status() >= 400 && a.status() < 500, secret + ": " + a.status());
            assertFalse(a.body().contains(credentials.keystorePassword()), secret);
        }
        // out of logs/ by "..": Liberty's connector answers with an error of its own (500), and nothing of the file
        Http.Answer climbed = file(Path.of(server + "/logs/../server.env"));
        assertTrue(climbed.status() >= 400, "logs/../server.env: " + climbed.status());
        assertFalse(climbed.body().contains(credentials.keystorePassword()));
        assertFalse(climbed.body().contains(credentials.password()));
    }

    private Http.Answer file(Path path) {
        return admin.get("/IBMJMXConnectorREST/file/" + URLEncoder.encode(path.toString(), StandardCharsets.UTF_8),
                credentials.user(), credentials.password());
    }

    /**
     * No page of another site may frame the console (clickjacking): Admin Center's pages allow frames of their own
     * origin only, which its tools need, and every other answer of the admin endpoint none at all; none may be read
     * as another type than it declares. Each header once: the endpoint adds its own only where the page set none.
     */
    @Test
    void noOtherSiteMayFrameAnAnswerOfTheConsole() {
        Http.Answer login = admin.get("/adminCenter/login.jsp");
        assertEquals(200, login.status());
        assertEquals(List.of("SAMEORIGIN"), login.headers("X-Frame-Options"));
        assertEquals(1, login.headers("Content-Security-Policy").size());
        assertTrue(login.header("Content-Security-Policy").contains("frame-ancestors 'self'"),
                login.header("Content-Security-Policy"));
        assertEquals(List.of("nosniff"), login.headers("X-Content-Type-Options"));
        // every tool of the console draws in a frame of the console: each keeps its own SAMEORIGIN
        Http.Answer catalog = admin.get("/ibm/api/adminCenter/v1/catalog", credentials.user(), credentials.password());
        assertEquals(200, catalog.status());
        List<String> tools = catalog.json().getJsonArray("featureTools").getValuesAs(jakarta.json.JsonObject.class)
                .stream().map(t -> t.getString("url")).toList();
        assertTrue(tools.contains("/ibm/adminCenter/explore-1.0"), tools.toString());
        for (String tool : tools) {
            Http.Answer frame = admin.get(tool + "/", credentials.user(), credentials.password());
            assertEquals(200, frame.status(), tool);
            assertEquals(List.of("SAMEORIGIN"), frame.headers("X-Frame-Options"), tool);
        }
        Map<String, Integer> answers = new java.util.LinkedHashMap<>();
        answers.put("/health/ready", 200);
        answers.put("/metrics", 401);
        answers.put("/IBMJMXConnectorREST", 401);
        answers.put("/openapi", 200);
        answers.put("/no-such-page", 404);
        answers.forEach((path, status) -> {
            Http.Answer a = admin.get(path);
            assertEquals(status, a.status(), path);
            assertEquals(List.of("DENY"), a.headers("X-Frame-Options"), path);
            assertEquals(List.of("frame-ancestors 'none'"), a.headers("Content-Security-Policy"), path);
            assertEquals(List.of("nosniff"), a.headers("X-Content-Type-Options"), path);
        });
    }

    @Test
    void theOpenApiDocumentListsTheOsmsEndpoints() {
        Http.Answer a = admin.get("/openapi");
        assertEquals(200, a.status());
        for (String path : new String[] {"/pk:", "/user/{username}:", "/user/{username}/history:", "/audit:",
                "/create_session:", "/session:", "/terminate_session:"}) {
            assertTrue(a.body().contains("  " + path), path + " in\n" + a.body());
        }
    }

    @Test
    void theRestConnectorReadsTheApplicationStateWithTheAdministratorOnly() throws Exception {
        try (JMXConnector connector = RestConnector.connect(admin)) {
            MBeanServerConnection mbeans = connector.getMBeanServerConnection();
            assertEquals("STARTED", RestConnector.attribute(mbeans, APPLICATION_MBEAN, "State"));
        }
        int port = URI.create(admin.base()).getPort();
        Exception refused = assertThrows(Exception.class, () -> {
            try (JMXConnector c = RestConnector.connect(port, credentials.user(), "wrong", admin.tls())) {
                c.getMBeanServerConnection().getMBeanCount();
            }
        });
        assertNotNull(refused);
        assertTrue(refused instanceof SecurityException || refused instanceof IOException, refused.toString());
    }

    /**
     * The OSMS administration MXBean as an operator's JMX tool reaches it: through the REST connector on the admin
     * endpoint, open types only. A suspension through it changes what the service does (a live conversation ends, a
     * login is refused with its code, the directory says so, the audit log records it), and a reinstatement undoes
     * exactly that; a refused operation names its code and changes no figure.
     */
    @Test
    void theAdministrationMBeanThroughTheRestConnectorSuspendsAndReinstatesAnIdentity() throws Exception {
        OsmsClient client = new OsmsClient(URI.create(http.base()));
        OtrPublicKey serverKey = client.serverKey();
        Username name = Deployments.freshUsername("console");
        KeyPair key = KeyStoreFiles.generate();
        client.register(name, key, serverKey).logout();
        OsmsClient.Session live = client.login(name, key, serverKey);
        long historyBefore = client.history(name.value(), 0).getJsonArray("entries").size();

        try (JMXConnector connector = RestConnector.connect(admin)) {
            MBeanServerConnection mbeans = connector.getMBeanServerConnection();
            ObjectName administration = new ObjectName(ADMINISTRATION_MBEAN);
            String[] oneString = {String.class.getName()};
            long suspendedBefore = ((Number) mbeans.getAttribute(administration, "SuspendedIdentities")).longValue();
            long activeBefore = ((Number) mbeans.getAttribute(administration, "ActiveIdentities")).longValue();

            assertEquals("suspended", mbeans.invoke(administration, "suspend", new Object[] {name.value()}, oneString));
            assertEquals(suspendedBefore + 1,
                    ((Number) mbeans.getAttribute(administration, "SuspendedIdentities")).longValue());
            assertEquals(activeBefore - 1,
                    ((Number) mbeans.getAttribute(administration, "ActiveIdentities")).longValue());
            assertEquals("suspended", client.user(name.value()).getString("status"));
            OsmsException ended = assertThrows(OsmsException.class,
                    () -> live.command(Json.createObjectBuilder().add("command", "whoami").build()));
            assertEquals(404, ended.status(), ended.getMessage());
            assertEquals("unknown_session", ended.code());
            OsmsException refused = assertThrows(OsmsException.class, () -> client.login(name, key, serverKey));
            assertEquals(403, refused.status(), refused.getMessage());
            assertEquals("identity_suspended", refused.code());

            // a refused operation: its code reaches the JMX client, and no figure moves
            Exception unknown = assertThrows(Exception.class, () -> mbeans.invoke(administration, "suspend",
                    new Object[] {Deployments.freshUsername("nobody").value()}, oneString));
            assertTrue(causes(unknown).contains("(unknown_user)"), causes(unknown));
            assertEquals(suspendedBefore + 1,
                    ((Number) mbeans.getAttribute(administration, "SuspendedIdentities")).longValue());

            assertEquals("active", mbeans.invoke(administration, "reinstate", new Object[] {name.value()}, oneString));
            assertEquals(suspendedBefore,
                    ((Number) mbeans.getAttribute(administration, "SuspendedIdentities")).longValue());
        }
        assertEquals("active", client.user(name.value()).getString("status"));
        OsmsClient.Session again = client.login(name, key, serverKey);
        assertEquals(name.value(), again.command(Json.createObjectBuilder().add("command", "whoami").build())
                .getString("username"));
        again.logout();
        JsonValue[] added = client.history(name.value(), 0).getJsonArray("entries").stream()
                .skip(historyBefore).toArray(JsonValue[]::new);
        assertEquals(2, added.length, "exactly a suspension and a reinstatement were recorded");
        assertEquals("suspended", added[0].asJsonObject().getString("event"));
        assertEquals("reinstated", added[1].asJsonObject().getString("event"));
    }

    /** Every message of an exception and its causes, as a JMX client sees them. */
    private static String causes(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c).append(" | ");
        }
        return all.toString();
    }

    /** Every osms_ sample of the application itself, by name and tags (but the application's and the scope). */
    private Map<String, Double> osmsMetrics() {
        Http.Answer a = admin.get("/metrics?scope=application", credentials.user(), credentials.password());
        assertEquals(200, a.status(), a.body());
        Map<String, Double> samples = new HashMap<>();
        Pattern line = Pattern.compile("^(osms_[a-z_]+)(\\{[^}]*\\})? ([0-9.Ee+-]+)$", Pattern.MULTILINE);
        Matcher m = line.matcher(a.body());
        while (m.find()) {
            // Liberty writes the tags sorted, each followed by a comma: {app="osms",command="whoami",mp_scope=…,}
            String tags = m.group(2) == null ? "" : m.group(2);
            if (!tags.startsWith("{app=\"osms\",")) {
                continue; // an in-container test deployment's
            }
            String kept = tags.replace("app=\"osms\",", "").replace("mp_scope=\"application\",", "")
                    .replace(",}", "}").replace("{}", "");
            samples.put(m.group(1) + kept, Double.parseDouble(m.group(3)));
        }
        return samples;
    }

    private static double delta(Map<String, Double> before, Map<String, Double> after, String key) {
        return after.getOrDefault(key, 0.0) - before.getOrDefault(key, 0.0);
    }
}
