package org.osms.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.client.OsmsException;
import org.osms.it.Http;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.SessionProofs;
import org.osms.protocol.Username;

/**
 * What an operator reads: a clean start and ordinary traffic, refusals included, leave no ERROR or WARNING line and
 * no FFDC incident in the server's logs. Only real defects may.
 */
class CleanLogsIT {
    /**
     * Warnings Liberty itself writes about things OSMS cannot control, each with its reason. Nothing else is allowed.
     */
    private static final Map<String, String> LIBERTY_OWN = Map.of(
            "CWWKZ0022W", "'Application has not started in 30 seconds': Liberty's notice on a loaded machine (the"
                    + " test servers share two cores with the build); the application does start, and the test"
                    + " waits for its readiness.",
            "CWMMH0053W", "'The readiness health check reported DOWN because osms is not started yet': Liberty's"
                    + " note when /health/ready is asked during start, as a readiness probe does; it is the right"
                    + " answer, not a fault.");

    /** A messages.log line: [date] thread logger level message; the level is one letter. */
    private static final Pattern LINE = Pattern.compile("^\\[[^\\]]+\\] \\S+ +\\S+ +([A-Z]) (.*)$");
    private static final Pattern MESSAGE_ID = Pattern.compile("^([A-Z]{4,5}\\d{4}[A-Z]):");

    private final Http http = Http.fromSystemProperty();
    private final OsmsClient client = new OsmsClient(URI.create(http.base()));

    @BeforeAll
    static void applicationIsUp() {
        Http.fromSystemProperty().awaitReady();
    }

    private static Path logs() {
        return Path.of("target/liberty/wlp/usr/servers", System.getProperty("osms.it.serverName"), "logs");
    }

    @Test
    void aCleanStartLogsNoErrorAndNoWarning() {
        List<String> lines = messages();
        int launched = -1;
        int started = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains("CWWKE0001I")) {
                launched = i;
                started = -1;
            }
            if (lines.get(i).contains("CWWKZ0001I") && lines.get(i).contains(" osms ")) {
                started = i;
            }
        }
        assertTrue(launched >= 0, "the server's launch (CWWKE0001I) is in messages.log");
        assertTrue(started > launched, "the application's start (CWWKZ0001I) is in messages.log");
        assertEquals(List.of(), complaints(lines.subList(launched, started + 1)),
                "errors or warnings while the server and OSMS started");
        assertEquals(List.of(), consoleComplaints(), "errors or warnings on the console");
    }

    @Test
    void expectedRefusalsWriteNoFfdcAndNoErrorOrWarning() {
        Set<String> incidentsBefore = ffdc();
        int linesBefore = messages().size();

        Username alice = fresh("calm");
        KeyPair aliceKey = KeyStoreFiles.generate();
        Username bob = fresh("calm");
        KeyPair bobKey = KeyStoreFiles.generate();
        OtrPublicKey server = client.serverKey();
        client.register(alice, aliceKey, server).logout();
        client.register(bob, bobKey, server).logout();

        OsmsClient.Session s = client.login(alice, aliceKey, server);
        assertRefused("no_change", s.sendCommand(rename(alice)));
        assertRefused("username_taken", s.sendCommand(rename(bob)));
        assertRefused("no_change", s.sendCommand(cmd("publish-key")));
        assertRefused("key_in_use", s.sendCommand(replaceKey(s, bobKey)));
        assertRefused("no_change", s.sendCommand(replaceKey(s, aliceKey)));
        assertRefused("unknown_command", s.sendCommand(cmd("fly")));
        assertRefused("bad_username", s.sendCommand(Json.createObjectBuilder().add("command", "rename")
                .add("username", "not valid!").build()));
        OsmsException replay = assertThrows(OsmsException.class, () -> {
            List<String> wire = s.encrypt("{\"command\":\"whoami\",\"seq\":1}");
            s.postRaw("session", wire.get(wire.size() - 1));
        });
        assertEquals("replayed", replay.code());
        s.logout();

        OsmsException mismatch = assertThrows(OsmsException.class, () -> client.login(alice, bobKey, server));
        assertEquals("key_mismatch", mismatch.code());
        OsmsException unknown = assertThrows(OsmsException.class,
                () -> client.login(fresh("nobody"), aliceKey, server));
        assertEquals("unknown_user", unknown.code());
        assertEquals("username_taken", assertThrows(OsmsException.class,
                () -> client.register(bob, KeyStoreFiles.generate(), server)).code());
        assertEquals("key_in_use", assertThrows(OsmsException.class,
                () -> client.register(fresh("calm"), bobKey, server)).code());
        assertEquals(404, http.get("/user/" + fresh("nobody").value()).status());
        assertEquals(400, http.get("/audit?after=x").status());

        assertEquals(Set.of(), difference(ffdc(), incidentsBefore), "FFDC incidents written by refusals");
        // Liberty writes an incident once per kind and server run: one that an earlier test provoked is on file.
        assertEquals(List.of(), osmsIncidents(), "FFDC incidents about OSMS's own exceptions");
        List<String> after = messages();
        assertEquals(List.of(), complaints(after.subList(linesBefore, after.size())),
                "errors or warnings logged by refusals");
    }

    private static void assertRefused(String code, JsonObject reply) {
        assertFalse(reply.getBoolean("ok"), reply.toString());
        assertEquals(code, reply.getString("error"), reply.toString());
    }

    private static Username fresh(String prefix) {
        return Username.of(prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    private static JsonObject cmd(String name) {
        return Json.createObjectBuilder().add("command", name).build();
    }

    /** A well-proven {@code replace-key} to {@code key}. */
    private static JsonObject replaceKey(OsmsClient.Session s, KeyPair key) {
        OtrPublicKey next = OtrPublicKey.of(key.getPublic());
        return Json.createObjectBuilder().add("command", "replace-key")
                .add("publicKey", Base64.getEncoder().encodeToString(next.serialized()))
                .add("signature", Base64.getEncoder().encodeToString(
                        SessionProofs.signKeyReplacement(s.challenge(), next, key.getPrivate())))
                .build();
    }

    private static JsonObject rename(Username to) {
        return Json.createObjectBuilder().add("command", "rename").add("username", to.value()).build();
    }

    /** ERROR and WARNING lines (by level, or by a message id ending in E or W), minus Liberty's own listed above. */
    static List<String> complaints(List<String> lines) {
        return lines.stream().filter(line -> {
            Matcher m = LINE.matcher(line);
            if (!m.matches()) {
                return false; // a continuation line (stack trace) belongs to a line already judged
            }
            Matcher id = MESSAGE_ID.matcher(m.group(2));
            String messageId = id.find() ? id.group(1) : "";
            boolean complaint = m.group(1).equals("E") || m.group(1).equals("W")
                    || messageId.endsWith("E") || messageId.endsWith("W")
                    || m.group(2).contains("[ERROR]") || m.group(2).contains("[WARN");
            return complaint && !LIBERTY_OWN.containsKey(messageId);
        }).toList();
    }

    private static List<String> consoleComplaints() {
        Path console = logs().resolve("console.log");
        if (!Files.exists(console)) {
            return List.of();
        }
        return read(console).stream()
                .filter(l -> l.contains("[ERROR") || l.contains("[WARN") || l.contains("ERROR:")
                        || l.matches(".*\\b[A-Z]{4,5}\\d{4}[EW]:.*"))
                .filter(l -> LIBERTY_OWN.keySet().stream().noneMatch(l::contains))
                .toList();
    }

    private static List<String> messages() {
        return read(logs().resolve("messages.log"));
    }

    private static List<String> read(Path file) {
        try {
            return List.of(Files.readString(file, StandardCharsets.ISO_8859_1).split("\n"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /** The FFDC files written since the server was last launched (the directory keeps those of earlier runs). */
    private static Set<String> ffdc() {
        Path dir = logs().resolve("ffdc");
        if (!Files.isDirectory(dir)) {
            return Set.of();
        }
        long launched = launchTime();
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(p -> p.toFile().lastModified() >= launched)
                    .map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** When the server was launched: the time of its last CWWKE0001I line, in milliseconds. */
    private static long launchTime() {
        List<String> launches = messages().stream().filter(l -> l.contains("CWWKE0001I")).toList();
        assertFalse(launches.isEmpty(), "the server's launch (CWWKE0001I) is in messages.log");
        String line = launches.get(launches.size() - 1);
        String stamp = line.substring(1, line.indexOf(']'));
        return java.time.ZonedDateTime.parse(stamp, java.time.format.DateTimeFormatter.ofPattern(
                "M/d/yy, H:mm:ss:SSS z", java.util.Locale.ROOT)).toInstant().toEpochMilli() - 1000;
    }

    /** The "Exception = " lines of incidents whose exception is one of OSMS's own (a refusal or a defect). */
    private static List<String> osmsIncidents() {
        return ffdc().stream().filter(name -> name.startsWith("ffdc_"))
                .flatMap(name -> read(logs().resolve("ffdc").resolve(name)).stream()
                        .filter(l -> l.startsWith("Exception = org.osms."))
                        .map(l -> name + ": " + l))
                .toList();
    }

    private static Set<String> difference(Set<String> a, Set<String> b) {
        return a.stream().filter(x -> !b.contains(x)).collect(Collectors.toSet());
    }
}
