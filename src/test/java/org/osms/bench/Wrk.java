package org.osms.bench;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The lookups' load driver: {@code wrk} (Debian's package), which costs the machine a tenth of the processor time per
 * request that the JDK's HTTP client does (docs/performance.md, "Lookups measured with wrk"). On two cores the load
 * driver shares the processors with the server, so a costly driver holds both endpoints to its own pace and pushes
 * their ratio toward 1.
 *
 * <p>A run with any response other than 2xx or 3xx, or any failed socket, stops the benchmark (nothing is appended):
 * a rate of refusals is not a rate of lookups. A request waits up to 30 s before wrk counts it as failed, as long as
 * the JDK's client would wait on a loaded machine, not wrk's default of 2 s.
 */
final class Wrk {
    private static final Pattern RATE = Pattern.compile("(?m)^Requests/sec:\\s+([0-9.]+)\\s*$");
    private static final Pattern PERCENTILE = Pattern.compile("(?m)^\\s+(50|99)(?:\\.0+)?%\\s+([0-9.]+)(us|ms|s)\\s*$");
    private static final Pattern NON_2XX = Pattern.compile("(?m)^\\s*Non-2xx or 3xx responses:\\s+(\\d+)\\s*$");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "(?m)^\\s*Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)\\s*$");
    private static final Pattern REQUESTS = Pattern.compile("(?m)^\\s*(\\d+) requests in ");

    private final Path executable;

    private Wrk(Path executable) {
        this.executable = executable;
    }

    /** {@code wrk} from the {@code PATH}, if it is there. */
    static Optional<Wrk> onPath() {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "wrk");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(new Wrk(candidate));
            }
        }
        return Optional.empty();
    }

    /**
     * One run of {@code GET url} with {@code Accept: application/json} on {@code connections} kept-alive connections
     * (two threads, as the machine has two cores) for {@code length}.
     */
    Benchmarks.Sample run(URI url, int connections, Duration length) throws IOException, InterruptedException {
        Path output = Files.createTempFile("osms-wrk", ".txt");
        Process wrk = null;
        try {
            wrk = new ProcessBuilder(executable.toString(), "-t2", "-c" + connections,
                    "-d" + length.toSeconds() + "s", "--timeout", "30s", "--latency", "-H", "Accept: application/json",
                    url.toString()).redirectErrorStream(true).redirectOutput(output.toFile()).start();
            if (!wrk.waitFor(length.toSeconds() + 60, TimeUnit.SECONDS)) {
                throw new IOException("wrk did not end within a minute of its run");
            }
            String out = Files.readString(output, StandardCharsets.UTF_8);
            if (wrk.exitValue() != 0) {
                throw new IOException("wrk failed (exit " + wrk.exitValue() + "): " + out);
            }
            return parse(out);
        } finally {
            if (wrk != null) {
                wrk.destroyForcibly(); // ended already, unless it overran or this thread was interrupted
            }
            Files.deleteIfExists(output);
        }
    }

    /** The rate and the median and 99th percentile latencies of wrk's report; refuses a run with any failure. */
    static Benchmarks.Sample parse(String report) {
        Matcher non2xx = NON_2XX.matcher(report);
        if (non2xx.find() && Long.parseLong(non2xx.group(1)) > 0) {
            throw new IllegalStateException(non2xx.group(1) + " responses were not 2xx or 3xx:\n" + report);
        }
        Matcher errors = SOCKET_ERRORS.matcher(report);
        if (errors.find() && List.of(1, 2, 3, 4).stream().anyMatch(g -> Long.parseLong(errors.group(g)) > 0)) {
            throw new IllegalStateException("sockets failed during the run:\n" + report);
        }
        Matcher requests = REQUESTS.matcher(report);
        if (!requests.find() || Long.parseLong(requests.group(1)) == 0) {
            throw new IllegalStateException("no request was answered:\n" + report);
        }
        Matcher rate = RATE.matcher(report);
        if (!rate.find()) {
            throw new IllegalStateException("no rate in wrk's report:\n" + report);
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher p = PERCENTILE.matcher(report);
        while (p.find()) {
            double millis = Double.parseDouble(p.group(2)) * switch (p.group(3)) {
                case "us" -> 0.001;
                case "ms" -> 1;
                default -> 1000;
            };
            if (p.group(1).equals("50")) {
                p50 = millis;
            } else {
                p99 = millis;
            }
        }
        if (Double.isNaN(p50) || Double.isNaN(p99)) {
            throw new IllegalStateException("no latency distribution in wrk's report (--latency):\n" + report);
        }
        return new Benchmarks.Sample(Double.parseDouble(rate.group(1)), p50, p99);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "wrk (%s)", executable);
    }
}
