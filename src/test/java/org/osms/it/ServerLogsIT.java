package org.osms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.osms.protocol.AuditRecord;
import org.osms.protocol.Fingerprint;

/**
 * Runs once the whole suite (every class, error paths included, and the restart) has run against a test server:
 * none of that server's logs (messages, console, trace, FFDC incidents) may carry a username, session id or
 * fingerprint the suite used. The values are those {@link NeverLogged} collected plus every name and fingerprint in
 * the server's audit log, which covers what the in-container tests created. Its own failsafe executions come after
 * the restart executions (pom.xml).
 */
class ServerLogsIT {
    private static final Path SERVERS = Path.of("target/liberty/wlp/usr/servers");

    @Test
    void noServerLogCarriesAUsernameSessionIdOrFingerprintTheSuiteUsed() throws IOException {
        String server = System.getProperty("osms.it.serverName");
        Set<String> recorded = NeverLogged.recorded(server);
        assertTrue(recorded.stream().anyMatch(v -> v.matches("[A-Za-z0-9_-]{43}")),
                "session ids were collected from the wire (" + NeverLogged.file(server) + ")");
        Set<String> secrets = new LinkedHashSet<>(recorded);
        List<AuditRecord> log = AuditPages.readAll(Http.fromSystemProperty(), 1000);
        assertTrue(log.size() > 0, "the suite left identities in the audit log");
        for (AuditRecord r : log) {
            Stream.of(r.usernameBefore(), r.usernameAfter(), r.fingerprintBefore(), r.fingerprintAfter())
                    .filter(v -> v != null).forEach(secrets::add);
        }

        // A fingerprint also in the forms people are shown.
        for (String v : List.copyOf(secrets)) {
            if (v.matches("[0-9a-f]{40}")) {
                secrets.add(v.toUpperCase(java.util.Locale.ROOT));
                secrets.add(Fingerprint.of(v).human());
            }
        }

        Path logs = SERVERS.resolve(server).resolve("logs");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(logs)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertTrue(files.contains(logs.resolve("messages.log")), "the server's logs are in " + logs);

        List<String> leaks = new ArrayList<>();
        for (Path f : files) {
            String text = Files.readString(f, StandardCharsets.ISO_8859_1);
            for (String secret : secrets) {
                if (appears(text, secret)) {
                    leaks.add(logs.relativize(f) + ": " + secret);
                }
            }
        }
        assertEquals(List.of(), leaks, "checked " + secrets.size() + " values in " + files.size() + " files");
    }

    /** As a whole word: a short name inside a longer word is not a leak of that name. */
    static boolean appears(String text, String value) {
        for (int at = text.indexOf(value); at >= 0; at = text.indexOf(value, at + 1)) {
            int end = at + value.length();
            if ((at == 0 || !wordChar(text.charAt(at - 1))) && (end == text.length() || !wordChar(text.charAt(end)))) {
                return true;
            }
        }
        return false;
    }

    private static boolean wordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '-';
    }
}
