package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osms.it.Http;

/** The `osms` command as users run it: the built jar in its own process, against the deployed server. */
class ClientJarIT {
    private static final File JAR = new File("target/osms-client.jar");
    private final Http http = Http.fromSystemProperty();

    @TempDir
    Path home;

    record Run(int exit, String out, String err) {
    }

    private Run osms(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.getAbsolutePath(),
                "--server", http.base(), "--home", home.toString()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).start();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "osms " + String.join(" ", args) + " finished");
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void aUserRegistersRenamesRotatesAndIsLookedUp() throws Exception {
        String name = "cli" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        assertEquals(0, osms("keygen").exit());
        assertEquals(Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
                Files.getPosixFilePermissions(home.resolve("identity.key")), "the private key is 0600");
        assertEquals(1, osms("keygen").exit(), "an existing key is never overwritten");

        Run registered = osms("register", name);
        assertEquals(0, registered.exit(), registered.err());
        assertTrue(registered.out().contains("pinned its key"), "first contact is announced");
        assertTrue(registered.out().contains(name + "  active"), registered.out());

        Run renamed = osms("rename", name + "x");
        assertEquals(0, renamed.exit(), renamed.err());
        Run rotated = osms("rotate-key");
        assertEquals(0, rotated.exit(), rotated.err());
        Run whoami = osms("whoami");
        assertEquals(0, whoami.exit(), whoami.err());
        assertEquals(rotated.out().trim(), whoami.out().trim(), "the new key logs in");

        Run lookup = osms("lookup", name + "x");
        assertTrue(lookup.out().startsWith(name + "x  active  "), lookup.out());
        Run history = osms("history", name + "x");
        assertEquals(3, history.out().lines().count(), history.out());
        assertTrue(history.out().contains("key_replaced"));
    }

    @Test
    void errorsAreOneLineAndANonZeroExit() throws Exception {
        Run unknown = osms("lookup", "nobody" + UUID.randomUUID().toString().substring(0, 8).replace("-", ""));
        assertEquals(1, unknown.exit());
        assertEquals(1, unknown.err().lines().count(), unknown.err());
        assertTrue(unknown.err().startsWith("osms: "));
        Run noKey = osms("whoami");
        assertEquals(1, noKey.exit());
        assertEquals(1, noKey.err().lines().count(), noKey.err());
        Run badName = osms("lookup", "bad!name");
        assertEquals(1, badName.exit());
    }

    @Test
    void aChangedServerKeyStopsTheClient() throws Exception {
        assertEquals(0, osms("keygen").exit());
        Files.writeString(home.resolve("known_servers"), http.base() + " " + "00".repeat(20) + "\n");
        Run run = osms("register", "pinned" + UUID.randomUUID().toString().substring(0, 8).replace("-", ""));
        assertEquals(1, run.exit());
        assertTrue(run.err().contains("server key changed"), run.err());
    }

    @Test
    void theWarHoldsNoClientCodeAndTheClientJarNoServerCode() throws IOException {
        try (ZipFile war = new ZipFile("target/osms.war"); ZipFile client = new ZipFile(JAR)) {
            assertFalse(war.stream().anyMatch(e -> e.getName().contains("org/osms/client/")
                    || e.getName().contains("picocli")), "no client in the WAR");
            assertTrue(client.stream().anyMatch(e -> e.getName().equals("org/osms/client/Cli.class")));
            for (String server : List.of("directory", "audit", "session", "serverkey", "persistence", "web")) {
                assertFalse(client.stream().anyMatch(e -> e.getName().startsWith("org/osms/" + server + "/")),
                        "no " + server + " code in the client jar");
            }
        }
    }

    @Test
    void anAuditorVerifiesTheChainAndNoticesARewrite() throws Exception {
        assertEquals(0, osms("keygen").exit());
        assertEquals(0, osms("register", "aud" + UUID.randomUUID().toString().replace("-", "").substring(0, 10))
                .exit(), "the log has at least this registration");
        Run first = osms("audit");
        assertEquals(0, first.exit(), first.err());
        assertTrue(first.out().startsWith("audit log verified: "), first.out());
        String[] checkpoint = Files.readString(home.resolve("audit_checkpoints")).trim().split(" ");
        assertEquals(3, checkpoint.length);
        assertEquals(0, osms("audit").exit(), "an unchanged log verifies again");

        // What a rewritten history looks like to the auditor: the entry it verified has another hash now.
        Files.writeString(home.resolve("audit_checkpoints"),
                checkpoint[0] + " " + checkpoint[1] + " " + "00".repeat(32) + "\n");
        Run rewritten = osms("audit");
        assertEquals(1, rewritten.exit());
        assertTrue(rewritten.err().contains("rewritten"), rewritten.err());
    }
}
