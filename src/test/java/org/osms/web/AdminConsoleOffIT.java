package org.osms.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osms.it.AdminEndpoint;
import org.osms.it.Http;
import org.osms.it.LibertyServer;

/**
 * Without OSMS_ADMIN_USER and OSMS_ADMIN_PASSWORD the operator's console stays off: a real server of the shipped
 * configuration, with a keystore password in its server.env as `server create` writes one (so that only the
 * credentials are missing), serves OSMS on its public port, never opens its admin port, and says so once in its log.
 * The same server, restarted with the credentials, opens the admin port: the control that the test can see one.
 * Runs in the loopback execution, on its ports (it.loopback.port, it.loopback.admin.port).
 */
class AdminConsoleOffIT {
    private static final int PORT = Integer.getInteger("osms.it.loopbackPort", 9183);
    private static final int ADMIN_PORT = Integer.getInteger("osms.it.loopbackAdminPort", 9186);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(15);
    private static final String OFF = "The operator's console is off: OSMS_ADMIN_USER and OSMS_ADMIN_PASSWORD are"
            + " not both set, so no administrator can sign in and its port stays closed.";
    private static final String TOO_SHORT = "The operator's console is off: OSMS_ADMIN_PASSWORD has fewer than 16"
            + " characters, too easily guessed and its port stays closed.";
    private static final String ADMIN_PORT_OPENED = "CWWKO0219I: TCP Channel adminHttpEndpoint-ssl";

    private final LibertyServer server = new LibertyServer("osms-it-console-off");
    private final String keystorePassword = random();
    private Process running;

    @AfterEach
    void stop() throws Exception {
        if (running != null && running.isAlive()) {
            server.command("stop");
            running.waitFor(120, TimeUnit.SECONDS);
            running.destroyForcibly();
        }
    }

    @Test
    void withoutCredentialsTheAdminPortNeverOpensAndTheLogSaysSoOnce() throws Exception {
        server.createFromShippedConfiguration(Map.of("http.port", String.valueOf(PORT),
                "osms.admin.port", String.valueOf(ADMIN_PORT),
                "osms.data.dir", Path.of("target/it-data/console-off").toAbsolutePath().toString()));
        Files.writeString(server.directory().resolve("server.env"), "keystore_password=" + keystorePassword + "\n");

        running = server.runInForeground(Map.of(), Path.of("target/console-off.log"));
        Http http = new Http("http://127.0.0.1:" + PORT);
        LibertyServer.awaitReady(http, START_TIMEOUT);
        awaitLine("CWWKF0011I"); // the server is started: every port it opens is open by now

        assertFalse(listens(ADMIN_PORT), "the admin port must not accept connections");
        String log = server.log();
        assertEquals(1, occurrences(log, OFF), "said exactly once; log:\n" + log);
        assertFalse(log.contains(ADMIN_PORT_OPENED), log);
        assertTrue(log.contains("CWPKI0820A"), "the keystore exists: only the credentials are missing");
        assertEquals(200, http.get("/pk").status(), "OSMS itself serves");
        assertFalse(Pattern.compile("^\\[[^\\]]+\\] [0-9a-f]+ \\S+ +[EF] ", Pattern.MULTILINE).matcher(log).find(),
                "no error; log:\n" + log);

        // the control: the same server with credentials opens its admin port and says nothing of the kind
        String password = random();
        restart(http, Map.of("OSMS_ADMIN_USER", "operator", "OSMS_ADMIN_PASSWORD", password), "on");
        AdminEndpoint admin = new AdminEndpoint("https://127.0.0.1:" + ADMIN_PORT,
                AdminEndpoint.trusting(server, keystorePassword));
        assertEquals(200, admin.get("/health/ready").status());
        assertEquals(200, admin.get("/metrics", "operator", password).status());
        assertEquals(401, admin.get("/metrics", "operator", "").status());
        assertEquals(0, occurrences(server.log(), OFF), server.log());
        assertFalse(server.log().contains(password), "the password is never logged");

        // a password of 15 characters: the port stays closed as without one, and the log says why
        String shortPassword = random().substring(0, 15);
        restart(http, Map.of("OSMS_ADMIN_USER", "operator", "OSMS_ADMIN_PASSWORD", shortPassword), "short");
        assertClosedSaying(TOO_SHORT, shortPassword);

        // a long password in the environment, and the short one in bootstrap.properties, which Liberty prefers: the
        // check reads the password Liberty's registry uses, so the port stays closed all the same
        Files.writeString(server.directory().resolve("bootstrap.properties"),
                "\nosms.admin.password=" + shortPassword + "\n", StandardOpenOption.APPEND);
        restart(http, Map.of("OSMS_ADMIN_USER", "operator", "OSMS_ADMIN_PASSWORD", random()), "outranked");
        assertClosedSaying(TOO_SHORT, shortPassword);
    }

    /** Stops the server, then runs it again with this environment until it has started. */
    private void restart(Http http, Map<String, String> environment, String name) throws Exception {
        server.command("stop");
        assertTrue(running.waitFor(120, TimeUnit.SECONDS));
        running = server.runInForeground(environment, Path.of("target/console-" + name + ".log"));
        LibertyServer.awaitReady(http, START_TIMEOUT);
        awaitLine("CWWKF0011I");
    }

    /** The admin port closed, and the log saying why exactly once and never the password. */
    private void assertClosedSaying(String why, String password) throws IOException {
        assertFalse(listens(ADMIN_PORT), "the admin port must not accept connections");
        assertEquals(1, occurrences(server.log(), why), server.log());
        assertFalse(server.log().contains(password), "the password is never logged");
    }

    private void awaitLine(String text) throws InterruptedException {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (!server.log().contains(text)) {
            if (System.nanoTime() > deadline || !running.isAlive()) {
                throw new AssertionError("no " + text + " in the log:\n" + server.log());
            }
            Thread.sleep(250);
        }
    }

    private static boolean listens(int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress("127.0.0.1", port), 1000);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    private static int occurrences(String text, String what) {
        Matcher m = Pattern.compile(Pattern.quote(what)).matcher(text);
        int n = 0;
        while (m.find()) {
            n++;
        }
        return n;
    }

    private static String random() {
        byte[] b = new byte[18];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
