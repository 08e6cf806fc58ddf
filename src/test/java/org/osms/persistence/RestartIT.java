package org.osms.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.osms.it.AuditPages;
import org.osms.it.Http;

/**
 * Restarts the test server and checks that users, the audit log and the server key survive. Runs in its own failsafe
 * execution after every other integration test, because it stops the server they use.
 */
class RestartIT {
    private final Http http = Http.fromSystemProperty();

    @Test
    void usersTheAuditLogAndTheServerKeySurviveARestart() throws Exception {
        JsonObject keyBefore = http.get("/pk").json();
        var chainBefore = AuditPages.verifyWholeLog(http, 500);
        assertTrue(chainBefore.lastSeq() > 0, "the earlier integration tests left identities to survive");
        JsonObject lastEntry = http.get("/audit?after=" + (chainBefore.lastSeq() - 1)).json()
                .getJsonArray("entries").getJsonObject(0);
        String someone = lastEntry.getString("usernameAfter", lastEntry.getString("usernameBefore", null));
        Http.Answer userBefore = http.get("/user/" + someone + "/history");

        String server = System.getProperty("osms.it.serverName");
        runServerCommand("stop", server);
        runServerCommand("start", server);
        awaitReady();

        assertEquals(keyBefore, http.get("/pk").json(), "the server key is not regenerated");
        var chainAfter = AuditPages.verifyWholeLog(http, 500);
        assertEquals(chainBefore.lastSeq(), chainAfter.lastSeq());
        assertEquals(java.util.HexFormat.of().formatHex(chainBefore.lastHash()),
                java.util.HexFormat.of().formatHex(chainAfter.lastHash()));
        assertEquals(userBefore.body(), http.get("/user/" + someone + "/history").body());

        Path dataDir = Path.of(System.getProperty("osms.it.dataDir"));
        if (Files.exists(dataDir)) {
            Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dataDir);
            assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                    PosixFilePermission.OWNER_EXECUTE), perms, "the data directory is private to the server");
        }
    }

    private static void runServerCommand(String action, String server) throws IOException, InterruptedException {
        File script = new File("target/liberty/wlp/bin/server");
        Process p = new ProcessBuilder(script.getAbsolutePath(), action, server)
                .redirectErrorStream(true)
                .redirectOutput(new File("target/restart-" + server + "-" + action + ".log"))
                .start();
        assertTrue(p.waitFor(180, TimeUnit.SECONDS), "server " + action + " finished");
        assertEquals(0, p.exitValue(), "server " + action + " succeeded");
    }

    private void awaitReady() throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(180));
        while (Instant.now().isBefore(deadline)) {
            try {
                if (http.get("/health/ready").status() == 200 && http.get("/pk").status() == 200) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // connection refused while the server starts
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the server did not become ready after the restart");
    }
}
