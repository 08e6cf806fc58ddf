package org.osms.it;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A Liberty server of the build's runtime ({@code target/liberty/wlp}), driven the way an operator drives it: the
 * {@code server} script, its pid file and its log. Tests that stop, kill or misconfigure a server use this.
 */
public final class LibertyServer {
    public static final Path WLP = Path.of("target/liberty/wlp");

    private final String name;

    public LibertyServer(String name) {
        this.name = name;
    }

    public String name() {
        return name;
    }

    public Path directory() {
        return WLP.resolve("usr/servers").resolve(name);
    }

    public Path messagesLog() {
        return directory().resolve("logs/messages.log");
    }

    /**
     * Creates (or re-creates) this server from the shipped configuration ({@code liberty/config}) and the WAR the
     * build packaged, with the given bootstrap properties, exactly as an operator's server would be.
     */
    public void createFromShippedConfiguration(Map<String, String> bootstrapProperties) throws IOException {
        Path dir = directory();
        deleteRecursively(dir);
        Files.createDirectories(dir.resolve("apps"));
        try (DirectoryStream<Path> config = Files.newDirectoryStream(Path.of("liberty/config"), "*.xml")) {
            for (Path file : config) {
                Files.copy(file, dir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.copy(Path.of("target/osms.war"), dir.resolve("apps/osms.war"), StandardCopyOption.REPLACE_EXISTING);
        StringBuilder props = new StringBuilder();
        bootstrapProperties.forEach((k, v) -> props.append(k).append('=').append(v).append('\n'));
        Files.writeString(dir.resolve("bootstrap.properties"), props.toString(), StandardCharsets.UTF_8);
    }

    /** {@code server run NAME}: the server in the foreground, as a child process with the given environment. */
    public Process runInForeground(Map<String, String> environment, Path output) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(script().getAbsolutePath(), "run", name)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile());
        // the server must see exactly the environment a test gives it, not a stray HTTP_HOST of the build's own
        pb.environment().remove("HTTP_HOST");
        // nor an administrator of the build's own environment (AdminConsoleOffIT starts a server without one)
        pb.environment().remove("OSMS_ADMIN_USER");
        pb.environment().remove("OSMS_ADMIN_PASSWORD");
        pb.environment().putAll(environment);
        return pb.start();
    }

    /** {@code server start|stop NAME}, which must succeed within fifteen minutes (a loaded machine is slow). */
    public void command(String action) throws IOException, InterruptedException {
        File log = new File("target/server-" + name + "-" + action + ".log");
        Process p = new ProcessBuilder(script().getAbsolutePath(), action, name)
                .redirectErrorStream(true)
                .redirectOutput(log)
                .start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("server " + action + " " + name + " did not finish in 15 minutes");
        }
        if (p.exitValue() != 0) {
            throw new AssertionError("server " + action + " " + name + " failed (" + p.exitValue() + "): "
                    + Files.readString(log.toPath()));
        }
    }

    /** The JVM of a server started with {@code server start}, from the pid file Liberty writes. */
    public ProcessHandle process() throws IOException {
        Path pidFile = WLP.resolve("usr/servers/.pid").resolve(name + ".pid");
        long pid = Long.parseLong(Files.readString(pidFile).trim());
        ProcessHandle handle = ProcessHandle.of(pid)
                .orElseThrow(() -> new AssertionError("no process " + pid + " for server " + name));
        String command = handle.info().commandLine().orElse("");
        if (!command.contains(name)) {
            throw new AssertionError("process " + pid + " is not server " + name + ": " + command);
        }
        return handle;
    }

    /** Waits until the application answers on {@code http} with the server key (readiness is on the admin port). */
    public static void awaitReady(Http http, Duration timeout) throws InterruptedException {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            try {
                if (http.get("/pk").status() == 200) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // connection refused while the server starts
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the server at " + http.base() + " did not become ready in " + timeout);
    }

    public String log() {
        try {
            return Files.exists(messagesLog()) ? Files.readString(messagesLog(), StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static File script() {
        return WLP.resolve("bin/server").toFile();
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
