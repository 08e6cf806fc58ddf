package org.osms.gob;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Go's own encoding/gob, through src/test/go/gobcheck. Without a Go toolchain these tests are skipped with a clear
 * message; with OSMS_REQUIRE_GO=1 (CI) a missing toolchain is a failure.
 */
final class GoToolchain {
    private static final File SOURCE = new File("src/test/go/gobcheck");
    private static final File BINARY = new File("target/gobcheck");
    private static boolean built;

    private GoToolchain() {
    }

    record Result(int exit, String out, String err) {
    }

    static synchronized void requireGo() throws IOException, InterruptedException {
        boolean present = run(List.of("go", "version"), new File(".")).exit() == 0;
        if (!present) {
            if ("1".equals(System.getenv("OSMS_REQUIRE_GO"))) {
                throw new AssertionError("OSMS_REQUIRE_GO=1 but no Go toolchain is on the PATH");
            }
            Assumptions.abort("No Go toolchain (`go`) on the PATH: the checks against Go's encoding/gob are "
                    + "skipped here. Install golang-go to run them; CI requires them.");
        }
        if (!built) {
            Result r = run(List.of("go", "build", "-o", BINARY.getAbsolutePath(), "."), SOURCE);
            assertEquals(0, r.exit(), "go build: " + r.err());
            built = true;
        }
    }

    static Result gobcheck(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(BINARY.getAbsolutePath());
        command.addAll(List.of(args));
        return run(command, new File("."));
    }

    private static Result run(List<String> command, File dir) throws IOException, InterruptedException {
        Process p;
        try {
            p = new ProcessBuilder(command).directory(dir).start();
        } catch (IOException notInstalled) {
            return new Result(127, "", notInstalled.getMessage());
        }
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), String.join(" ", command) + " finished");
        return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }
}
