package org.osms.onion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osms.client.OsmsClient;
import org.osms.client.OsmsException;
import org.osms.client.SocksProxy;
import org.osms.it.Http;
import org.osms.it.OsmsCommand;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/**
 * OSMS through real Tor, end to end: a private Tor network on 127.0.0.1 ({@link PrivateTorNetwork}), the test server
 * published in it by liberty/tor/osms-onion from the shipped torrc.template, and the reference client reaching the
 * .onion address only through the network's SOCKS port. Bounded in time: the onion must answer within
 * {@link #REACHABLE_WITHIN} (plus the client's own request timeout for the attempt under way), each command within
 * {@link #COMMAND_TIMEOUT}; a failure carries the end of every tor's log, and every tor is stopped either way.
 * Skipped with a message without tor and tor-gencert unless OSMS_REQUIRE_TOR=1.
 */
class TorNetworkIT {
    /** The network serves the onion after about 70 s on a 2-core machine; past this the test fails with tor's logs. */
    private static final Duration REACHABLE_WITHIN = Duration.ofSeconds(180);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(180);

    private final int httpPort = URI.create(Http.fromSystemProperty().base()).getPort();
    /**
     * The front's port (haproxy, started by osms-onion). It takes only connections that open with tor's PROXY header
     * naming the circuit, so every answer through the onion below proves that tor exported the circuit and the front
     * read it; the front sets OSMS-Circuit from it.
     */
    private int frontPort;

    @TempDir
    Path dir;

    @Test
    void theReferenceClientReachesTheOnionServiceThroughTorsSocksPort() throws Exception {
        requireTor();
        PrivateTorNetwork network = PrivateTorNetwork.start(dir.resolve("tor"));
        try {
            endToEnd(network);
        } catch (AssertionError | Exception e) {
            throw new AssertionError(e.getMessage() + "\nThe tor logs (all in " + dir + "):\n"
                    + network.logTails(25), e);
        } finally {
            network.close();
        }
        assertTrue(network.noneAlive(), "every tor the test started is stopped");
    }

    private void endToEnd(PrivateTorNetwork network) throws Exception {
        Instant deadline = Instant.now().plus(REACHABLE_WITHIN);
        String onion = publish(network);
        SocksProxy proxy = SocksProxy.parse("socks5h://127.0.0.1:" + network.socksPort());
        OsmsClient client = new OsmsClient(URI.create("http://" + onion), Optional.of(proxy));

        // GET /pk through Tor, retried until the network has a consensus and the service its descriptor published
        OtrPublicKey serverKey = reachable(client, network, deadline);
        OtrPublicKey direct = new OsmsClient(URI.create(Http.fromSystemProperty().base())).serverKey();
        assertEquals(direct, serverKey, "through the onion, the same server key as on the loopback port");

        // The `osms` command as a user runs it, with only the onion address and Tor's SOCKS port
        Files.createDirectories(dir.resolve("home"));
        OsmsCommand osms = new OsmsCommand(dir.resolve("home"), List.of("--server", "http://" + onion),
                Map.of("OSMS_PROXY", proxy.toString()), COMMAND_TIMEOUT);
        String name = "tor" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        assertEquals(0, osms.run("keygen").exit());
        OsmsCommand.Run registered = osms.run("register", name);
        assertEquals(0, registered.exit(), registered.err());
        assertTrue(registered.out().contains("first contact with http://" + onion + "; pinned its key "
                + serverKey.fingerprint().human()), registered.out());
        assertTrue(registered.out().contains(name + "  active"), registered.out());
        OsmsCommand.Run whoami = osms.run("whoami");
        assertEquals(0, whoami.exit(), whoami.err());
        assertTrue(whoami.out().startsWith(name + "  active  "), whoami.out());

        // Log in, whoami and log out with the client library, so the logout itself is observed
        KeyPair key = org.osms.client.KeyStoreFiles.generate();
        Username second = Username.of(name + "b");
        client.register(second, key, serverKey).logout();
        OsmsClient.Session session = client.login(second, key, serverKey);
        assertEquals(second.value(), session.command(jakarta.json.Json.createObjectBuilder()
                .add("command", "whoami").build()).getString("username"));
        session.logout();
        assertTrue(session.ended());
        OsmsException afterLogout = org.junit.jupiter.api.Assertions.assertThrows(OsmsException.class,
                () -> session.postRaw("session", "?OTR:AAMD"), "the ended conversation is gone on the server");
        assertEquals(404, afterLogout.status());
        assertEquals("unknown_session", afterLogout.code());

        // A message from `name` to a third user, end to end, both `osms` commands through this SOCKS port: the
        // sender waits while the OTR handshake goes through the mailboxes, the recipient answers it with inbox
        Files.createDirectories(dir.resolve("home-c"));
        OsmsCommand recipient = new OsmsCommand(dir.resolve("home-c"), List.of("--server", "http://" + onion),
                Map.of("OSMS_PROXY", proxy.toString()), COMMAND_TIMEOUT);
        String third = name + "c";
        assertEquals(0, recipient.run("keygen").exit());
        OsmsCommand.Run thirdRegistered = recipient.run("register", third);
        assertEquals(0, thirdRegistered.exit(), thirdRegistered.err());
        String text = "through tor " + UUID.randomUUID();
        java.util.concurrent.CompletableFuture<OsmsCommand.Run> sending =
                java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return osms.run("send", "--wait", "150", third, text);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                });
        StringBuilder received = new StringBuilder();
        Instant messageDeadline = Instant.now().plus(Duration.ofSeconds(170));
        while (!received.toString().contains(text) && Instant.now().isBefore(messageDeadline)) {
            OsmsCommand.Run inbox = recipient.run("inbox", "--wait", "15");
            assertEquals(0, inbox.exit(), inbox.err());
            received.append(inbox.out());
        }
        OsmsCommand.Run sent = sending.get(COMMAND_TIMEOUT.toSeconds() + 10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(0, sent.exit(), "osms send: " + sent.out() + sent.err());
        assertTrue(received.toString().contains(text), "the recipient read the text through Tor: " + received);
        assertEquals(1, received.toString().split(java.util.regex.Pattern.quote(text), -1).length - 1,
                "the text arrived once: " + received);
    }

    /** Starts the OSMS onion service in the network through the shipped osms-onion; returns its address. */
    private String publish(PrivateTorNetwork network) throws Exception {
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            frontPort = free.getLocalPort();
        }
        Path torDir = dir.resolve("onion");
        Path log = dir.resolve("tor/onion-service.log");
        ProcessBuilder pb = new ProcessBuilder(new File("liberty/tor/osms-onion").getAbsolutePath())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().put("OSMS_TOR_DIR", torDir.toString());
        pb.environment().put("HTTP_PORT", String.valueOf(httpPort));
        pb.environment().put("OSMS_FRONT_PORT", String.valueOf(frontPort));
        pb.environment().put("OSMS_TOR_EXTRA_CONFIG", network.networkConfig().toString());
        network.own(pb.start(), log);
        Path hostname = torDir.resolve("osms/hostname");
        for (int i = 0; i < 120 && !Files.exists(hostname); i++) {
            assertTrue(network.allAlive(), "every tor of the network keeps running");
            Thread.sleep(500);
        }
        String torrc = Files.readString(torDir.resolve("torrc"));
        assertTrue(torrc.contains("HiddenServicePort 80 127.0.0.1:" + frontPort)
                        && torrc.contains("HiddenServiceExportCircuitID haproxy"),
                "the service is the shipped template's: tor reaches OSMS through the front, naming each circuit");
        String onion = Files.readString(hostname).trim();
        assertTrue(onion.matches("[a-z2-7]{56}\\.onion"), onion);
        return onion;
    }

    private static OtrPublicKey reachable(OsmsClient client, PrivateTorNetwork network, Instant deadline)
            throws InterruptedException {
        OsmsException last = null;
        while (Instant.now().isBefore(deadline)) {
            assertTrue(network.allAlive(), "every tor of the network keeps running");
            try {
                OtrPublicKey key = client.serverKey();
                System.out.println("the onion service answered through Tor "
                        + Duration.between(deadline.minus(REACHABLE_WITHIN), Instant.now()).toSeconds()
                        + " s after the network started");
                return key;
            } catch (OsmsException e) {
                last = e;
                Thread.sleep(3000);
            }
        }
        throw new AssertionError("the onion service did not answer within " + REACHABLE_WITHIN + "; last: "
                + (last == null ? "no attempt" : last.getMessage()));
    }

    private static void requireTor() {
        boolean present = List.of("/usr/sbin/tor", "/usr/bin/tor-gencert").stream()
                .allMatch(p -> new File(p).canExecute());
        if (present) {
            org.osms.front.Front.requireHaproxy(); // osms-onion runs tor with its front
        }
        if (!present) {
            if ("1".equals(System.getenv("OSMS_REQUIRE_TOR"))) {
                throw new AssertionError("OSMS_REQUIRE_TOR=1 but tor or tor-gencert is not installed");
            }
            Assumptions.abort("tor and tor-gencert are not installed (apt-get install tor): the test through a "
                    + "private Tor network is skipped; CI requires it.");
        }
    }
}
