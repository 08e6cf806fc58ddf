package org.osms.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The built `osms` jar run in its own process, as a user runs it; output kept in files, so no pipe can fill up. */
public final class OsmsCommand {
    public record Run(int exit, String out, String err) {
    }

    private final Path home;
    private final List<String> options;
    private final Map<String, String> environment;
    private final Duration timeout;
    private final Path jar;

    /** {@code options} come before the command (--server, --proxy); {@code home} is the client's --home. */
    public OsmsCommand(Path home, List<String> options, Map<String, String> environment, Duration timeout) {
        this(Path.of("target/osms-client.jar").toAbsolutePath(), home, options, environment, timeout);
    }

    /** With the client jar at {@code jar}: for a test that does not run in the project directory (in-container). */
    public OsmsCommand(Path jar, Path home, List<String> options, Map<String, String> environment,
                       Duration timeout) {
        this.jar = jar;
        this.home = home;
        this.options = List.copyOf(options);
        this.environment = Map.copyOf(environment);
        this.timeout = timeout;
    }

    public Run run(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                jar.toString(), "--home", home.toString()));
        command.addAll(options);
        command.addAll(List.of(args));
        Path out = Files.createTempFile(home.getParent(), "osms-out", ".txt");
        Path err = Files.createTempFile(home.getParent(), "osms-err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile());
        pb.environment().remove("OSMS_PROXY");
        pb.environment().remove("OSMS_SERVER");
        pb.environment().putAll(environment);
        Process p = pb.start();
        boolean finished = p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        Run run = new Run(finished ? p.exitValue() : -1, Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
        assertTrue(finished, "osms " + String.join(" ", args) + " finished within " + timeout + ": " + run);
        return run;
    }
}
