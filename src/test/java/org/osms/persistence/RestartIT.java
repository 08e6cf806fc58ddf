package org.osms.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.osms.it.AuditPages;
import org.osms.it.Http;
import org.osms.it.LibertyServer;

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

        LibertyServer server = new LibertyServer(System.getProperty("osms.it.serverName"));
        server.command("stop");
        server.command("start");
        LibertyServer.awaitReady(http, Duration.ofSeconds(180));

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
}
