package org.osms.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.it.AuditPages;
import org.osms.it.Deployments;
import org.osms.it.Http;
import org.osms.protocol.AuditChain;
import org.osms.protocol.AuditRecord;
import org.osms.protocol.Username;
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
        assertEquals(200, userBefore.status(), userBefore.body());

        LibertyServer server = new LibertyServer(System.getProperty("osms.it.serverName"));
        server.command("stop");
        server.command("start");
        LibertyServer.awaitReady(http, Duration.ofSeconds(180));

        assertEquals(keyBefore, http.get("/pk").json(), "the server key is not regenerated");
        var chainAfter = AuditPages.verifyWholeLog(http, 500);
        assertEquals(chainBefore.lastSeq(), chainAfter.lastSeq());
        assertEquals(HexFormat.of().formatHex(chainBefore.lastHash()), HexFormat.of().formatHex(chainAfter.lastHash()));
        Http.Answer userAfter = http.get("/user/" + someone + "/history");
        assertEquals(200, userAfter.status(), userAfter.body());
        assertEquals(userBefore.body(), userAfter.body());

        // The log goes on after the restart: a new identity appends to the same chain.
        OsmsClient client = new OsmsClient(URI.create(http.base()));
        Username newcomer = Deployments.freshUsername("after");
        client.register(newcomer, KeyStoreFiles.generate(), client.serverKey()).logout();
        AuditChain appended = AuditPages.verifyWholeLog(http, 500);
        assertEquals(chainBefore.lastSeq() + 1, appended.lastSeq(), "one registration, one entry");
        AuditRecord last = AuditPages.record(http.get("/audit?after=" + chainBefore.lastSeq()).json()
                .getJsonArray("entries").getJsonObject(0));
        assertEquals(newcomer.value(), last.usernameAfter());
        assertEquals(HexFormat.of().formatHex(chainBefore.lastHash()), HexFormat.of().formatHex(last.prevHash()),
                "the new entry continues the chain from before the restart");

        Path dataDir = Path.of(System.getProperty("osms.it.dataDir"));
        assertTrue(Files.isDirectory(dataDir), "the data directory " + dataDir + " exists");
        Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dataDir);
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
                PosixFilePermission.OWNER_EXECUTE), perms, "the data directory is private to the server");
    }
}
