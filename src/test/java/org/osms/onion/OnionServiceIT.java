package org.osms.onion;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osms.it.Http;

/**
 * liberty/tor/osms-onion with Debian's real tor: the configuration is valid, and tor (with its network disabled, as
 * the test machine is offline) creates the v3 onion service for the test server's loopback port, keeps its key
 * private, and keeps the same address across restarts. Skipped with a message without tor unless OSMS_REQUIRE_TOR=1.
 */
class OnionServiceIT {
    private static final File SCRIPT = new File("liberty/tor/osms-onion");
    private final int port = URI.create(Http.fromSystemProperty().base()).getPort();
    private final int frontPort = freePort();

    private static int freePort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @TempDir
    Path torDir;

    private Process onion(String... torArgs) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(SCRIPT.getAbsolutePath()));
        command.addAll(List.of(torArgs));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(torDir.resolve("tor-" + System.nanoTime() + ".log").toFile());
        pb.environment().put("OSMS_TOR_DIR", torDir.toString());
        pb.environment().put("HTTP_PORT", String.valueOf(port));
        pb.environment().put("OSMS_FRONT_PORT", String.valueOf(frontPort));
        return pb.start();
    }

    private String publish() throws Exception {
        Path hostname = torDir.resolve("osms/hostname");
        Process tor = onion("--DisableNetwork", "1");
        try {
            for (int i = 0; i < 120 && !Files.exists(hostname); i++) {
                assertTrue(tor.isAlive(), "tor stopped early; see " + torDir);
                Thread.sleep(500);
            }
            assertTrue(Files.exists(hostname), "tor wrote the onion address");
            assertFrontAnswersForOsms();
            return Files.readString(hostname).trim();
        } finally {
            tor.destroy();
            tor.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** The front osms-onion started answers on its port for OSMS, as tor would reach it (a PROXY header first). */
    private void assertFrontAnswersForOsms() throws Exception {
        String wire = null;
        for (int i = 0; i < 50 && wire == null; i++) {
            try (java.net.Socket s = new java.net.Socket("127.0.0.1", frontPort)) {
                s.setSoTimeout(30_000);
                s.getOutputStream().write(("PROXY TCP6 fc00:dead:beef:4dad::0:1 ::1 1 0\r\n"
                        + "GET /pk HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nConnection: close\r\n\r\n")
                        .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
                wire = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
            } catch (java.net.ConnectException notYet) {
                Thread.sleep(200);
            }
        }
        assertTrue(wire != null && wire.startsWith("HTTP/1.1 200"), "the front answers /pk: " + wire);
        assertTrue(wire.endsWith(Http.fromSystemProperty().get("/pk").body()), wire);
    }

    /**
     * Tor's onion-service defences are on, as tor itself reads the configuration (--dump-config short lists every
     * option that differs from tor's defaults), and this tor has the pow module they need (without it tor warns).
     */
    private void assertTorsDefencesAreOn() throws Exception {
        Path dump = torDir.resolve("dump-config.txt");
        List<String> command = List.of(SCRIPT.getAbsolutePath(), "--dump-config", "short");
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(dump.toFile());
        pb.environment().put("OSMS_TOR_DIR", torDir.toString());
        pb.environment().put("HTTP_PORT", String.valueOf(port));
        pb.environment().put("OSMS_FRONT_PORT", String.valueOf(frontPort));
        Process p = pb.start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue());
        List<String> effective = Files.readAllLines(dump);
        for (String option : List.of("HiddenServicePoWDefensesEnabled 1", "HiddenServicePoWQueueRate 50",
                "HiddenServicePoWQueueBurst 250", "HiddenServiceEnableIntroDoSDefense 0",
                "HiddenServiceMaxStreams 8", "HiddenServiceMaxStreamsCloseCircuit 1",
                "HiddenServiceExportCircuitID haproxy")) {
            assertTrue(effective.contains(option), "tor reads " + option + ": " + effective);
        }
        assertTrue(effective.stream().noneMatch(l -> l.contains("[warn]") && l.toLowerCase().contains("pow")),
                "tor has its pow module: " + effective);
        Process modules = new ProcessBuilder("tor", "--list-modules").redirectErrorStream(true).start();
        String listed = new String(modules.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(modules.waitFor(60, TimeUnit.SECONDS));
        assertTrue(listed.lines().anyMatch("pow: yes"::equals), "tor was built with its pow module: " + listed);
    }

    @Test
    void torPublishesTheLoopbackServerAsAStableV3OnionService() throws Exception {
        boolean present = new File("/usr/sbin/tor").canExecute() || new File("/usr/bin/tor").canExecute();
        if (present) {
            org.osms.front.Front.requireHaproxy(); // osms-onion runs tor with its front
        }
        if (!present) {
            if ("1".equals(System.getenv("OSMS_REQUIRE_TOR"))) {
                throw new AssertionError("OSMS_REQUIRE_TOR=1 but tor is not installed");
            }
            Assumptions.abort("tor is not installed (apt-get install tor): the onion service check is skipped; "
                    + "CI requires it.");
        }
        Process verify = onion("--verify-config");
        assertTrue(verify.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, verify.exitValue(), "tor accepts the configuration");
        assertTrue(Files.readString(torDir.resolve("torrc")).contains("HiddenServicePort 80 127.0.0.1:" + frontPort),
                "tor forwards to the front");
        assertTrue(Files.readString(torDir.resolve("front/haproxy.cfg")).contains("server osms 127.0.0.1:" + port),
                "the front forwards to OSMS");
        assertTorsDefencesAreOn();

        String address = publish();
        assertTrue(address.matches("[a-z2-7]{56}\\.onion"), "a v3 onion address: " + address);
        Set<PosixFilePermission> ownerOnly = Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertEquals(ownerOnly, Files.getPosixFilePermissions(torDir.resolve("osms/hs_ed25519_secret_key")));
        assertEquals(address, publish(), "the same address after a restart: the key is kept");
    }
}
