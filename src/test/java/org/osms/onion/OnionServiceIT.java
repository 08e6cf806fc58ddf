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

    @TempDir
    Path torDir;

    private Process onion(String... torArgs) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of(SCRIPT.getAbsolutePath()));
        command.addAll(List.of(torArgs));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(torDir.resolve("tor-" + System.nanoTime() + ".log").toFile());
        pb.environment().put("OSMS_TOR_DIR", torDir.toString());
        pb.environment().put("HTTP_PORT", String.valueOf(port));
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
            return Files.readString(hostname).trim();
        } finally {
            tor.destroy();
            tor.waitFor(30, TimeUnit.SECONDS);
        }
    }

    @Test
    void torPublishesTheLoopbackServerAsAStableV3OnionService() throws Exception {
        boolean present = new File("/usr/sbin/tor").canExecute() || new File("/usr/bin/tor").canExecute();
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
        assertTrue(Files.readString(torDir.resolve("torrc")).contains("HiddenServicePort 80 127.0.0.1:" + port));

        String address = publish();
        assertTrue(address.matches("[a-z2-7]{56}\\.onion"), "a v3 onion address: " + address);
        Set<PosixFilePermission> ownerOnly = Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertEquals(ownerOnly, Files.getPosixFilePermissions(torDir.resolve("osms/hs_ed25519_secret_key")));
        assertEquals(address, publish(), "the same address after a restart: the key is kept");
    }
}
