package org.osms.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import java.net.URI;
import java.nio.file.Files;
import java.security.KeyPair;
import java.util.List;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import org.junit.jupiter.api.Test;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.it.AdminEndpoint;
import org.osms.it.Deployments;
import org.osms.it.Http;
import org.osms.it.LibertyServer;
import org.osms.it.RestConnector;
import org.osms.protocol.Fingerprint;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.ServerKeyHandover;
import org.osms.protocol.ServerKeyRecord;
import org.osms.protocol.Username;

/**
 * The server key's history is never longer than a client follows ({@link ServerKeyHandover#MAX_KEYS} keys), and the
 * administrator who asks for one rotation more gets the refusal every console refusal is: a plain
 * {@code IllegalArgumentException} with its sentence and code, nothing changed, nothing logged as an error.
 *
 * <p>It rotates the test server's key up to the limit through the REST connector, as an operator would, so it runs
 * in the crash execution, after every test that reads the key history, and leaves a history of 1000 keys behind.
 */
class ServerKeyHistoryLimitIT {
    private static final String ADMINISTRATION_MBEAN = "org.osms:type=Administration";

    private final Http http = Http.fromSystemProperty();
    private final AdminEndpoint admin = AdminEndpoint.fromSystemProperties();
    private final LibertyServer server = new LibertyServer(System.getProperty("osms.it.serverName"));

    @Test
    void aRotationPastTheLastKeyAClientFollowsIsRefusedAndChangesNothing() throws Exception {
        LibertyServer.awaitReady(http, java.time.Duration.ofSeconds(180));
        OsmsClient client = new OsmsClient(URI.create(http.base()));
        List<ServerKeyRecord> before = client.serverKeyHistory();
        Fingerprint first = Fingerprint.of(before.get(0).fingerprint());
        assertTrue(before.size() < ServerKeyHandover.MAX_KEYS, "room left to rotate: " + before.size());

        String last;
        String refusal;
        try (JMXConnector connector = RestConnector.connect(admin)) {
            MBeanServerConnection mbeans = connector.getMBeanServerConnection();
            ObjectName administration = new ObjectName(ADMINISTRATION_MBEAN);
            last = null;
            for (int i = before.size(); i < ServerKeyHandover.MAX_KEYS; i++) {
                last = (String) mbeans.invoke(administration, "rotateServerKey", new Object[0], new String[0]);
            }
            assertEquals(last, client.serverKey().fingerprint().hex(), "the 1000th key is made and served");
            long logBefore = Files.size(server.messagesLog());

            Exception refused = assertThrows(Exception.class,
                    () -> mbeans.invoke(administration, "rotateServerKey", new Object[0], new String[0]));
            refusal = causes(refused);
            String logAfter = new String(Files.readAllBytes(server.messagesLog()), java.nio.charset.StandardCharsets.UTF_8)
                    .substring((int) logBefore);
            assertFalse(logAfter.contains(" E "), "a refusal is not an error of the server:\n" + logAfter);
            assertFalse(logAfter.contains("EJBException"), logAfter);
        }
        assertTrue(refusal.contains("java.lang.IllegalArgumentException: The server key has had 1000 keys, the longest"
                + " history a client follows; it cannot be rotated again. (key_history_full)"), refusal);
        assertFalse(refusal.contains("EJB"), "no container exception reaches the administrator: " + refusal);

        // nothing changed: the same key served, the same 1000 keys in the history
        OtrPublicKey served = client.serverKey();
        assertEquals(last, served.fingerprint().hex());
        List<ServerKeyRecord> history = client.serverKeyHistory();
        assertEquals(ServerKeyHandover.MAX_KEYS, history.size());
        assertEquals(last, history.get(history.size() - 1).fingerprint());
        for (int i = 0; i < before.size(); i++) {
            assertEquals(before.get(i).fingerprint(), history.get(i).fingerprint(), "history never changes");
        }
        // a client pinned to the very first key still follows every handover to the last
        assertEquals(ServerKeyHandover.MAX_KEYS, ServerKeyHandover.follow(history, first, served.fingerprint()).size());
        // and the service goes on under the last key
        Username name = Deployments.freshUsername("lastkey");
        KeyPair key = KeyStoreFiles.generate();
        OsmsClient.Session session = client.register(name, key, served);
        assertEquals(name.value(), session.command(Json.createObjectBuilder().add("command", "whoami").build())
                .getString("username"));
        session.logout();
    }

    /** Every message of an exception and its causes, as a JMX client sees them. */
    private static String causes(Throwable t) {
        StringBuilder all = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) {
            all.append(c).append(" | ");
        }
        return all.toString();
    }
}
