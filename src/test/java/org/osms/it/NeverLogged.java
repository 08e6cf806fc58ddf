package org.osms.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The usernames, session ids and fingerprints the integration tests used, which the server must never log. They are
 * collected while the suite runs, one file per test server under {@code target/never-logged/}, and
 * {@code ServerLogsIT} scans every server log for them once the whole suite has run.
 *
 * <p>Collection is automatic: {@link Http} and the reference client both use the JDK's HTTP client, whose header log
 * (system property {@code jdk.httpclient.HttpClient.log=headers}) is read here, so every
 * {@code OSMS-Session} and {@code OSMS-Username} header that goes over the wire in either direction is recorded.
 * {@link Deployments#freshUsername} and {@link Deployments#freshKey} record what they hand out, for values that only
 * travel inside the encrypted channel. The audit log supplies every name and fingerprint that was registered. Inside
 * the container (no {@code osms.it.serverName}) nothing is recorded.
 */
public final class NeverLogged {
    private static final Pattern HEADER = Pattern.compile("(?im)^\\s*osms-(?:session|username):\\s*(\\S+)\\s*$");
    /** Kept here so the logger, and the handler on it, live as long as the test JVM. */
    private static final Logger WIRE = Logger.getLogger("jdk.httpclient.HttpClient");
    private static final Path FILE = file(System.getProperty("osms.it.serverName"));

    static {
        if (FILE != null) {
            System.setProperty("jdk.httpclient.HttpClient.log",
                    System.getProperty("jdk.httpclient.HttpClient.log", "headers"));
            WIRE.setUseParentHandlers(false);
            WIRE.addHandler(new Handler() {
                @Override
                public void publish(LogRecord r) {
                    if (r.getMessage() == null) {
                        return;
                    }
                    Matcher m = HEADER.matcher(r.getMessage());
                    while (m.find()) {
                        record(m.group(1));
                    }
                }

                @Override
                public void flush() {
                }

                @Override
                public void close() {
                }
            });
        }
    }

    private NeverLogged() {
    }

    /** Where the values used against {@code serverName} are kept; null when not running against a test server. */
    public static Path file(String serverName) {
        return serverName == null ? null : Path.of("target", "never-logged", serverName + ".txt");
    }

    /**
     * Starts collecting (idempotent). {@link NeverLoggedCollector} calls it when the test run starts, before any
     * HTTP client exists, because the JDK reads the header-log property once.
     */
    public static void install() {
        // the static initializer does the work
    }

    public static synchronized void record(String value) {
        if (FILE == null || value == null || value.isBlank()) {
            return;
        }
        try {
            Files.createDirectories(FILE.getParent());
            Files.writeString(FILE, value.strip() + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot record a value the server must never log", e);
        }
    }

    /** Every value recorded against {@code serverName}, in first-seen order. */
    public static Set<String> recorded(String serverName) throws IOException {
        Path f = file(serverName);
        return Files.exists(f) ? new LinkedHashSet<>(Files.readAllLines(f, StandardCharsets.UTF_8)) : Set.of();
    }
}
