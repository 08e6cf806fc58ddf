package org.osms.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Start-up time: from Liberty's {@code server start} to the first {@code 200} of {@code GET /pk}, for OSMS on a fresh
 * data directory (new embedded database, migrations, a new server key) and on the one that start left (existing
 * database and key), against an empty application (one JAX-RS resource answering {@code GET /pk}, src/bench/empty-app)
 * on the same Liberty installation with the same features, timed the same way. Each round starts all three once;
 * one round to warm up (Liberty's caches of each server, the first certificate), then {@link Benchmarks#RUNS}.
 *
 * <p>It stops the benchmark server and leaves it stopped: it runs after every other measure.
 */
final class StartupBenchmark {
    private static final Duration LIMIT = Duration.ofMinutes(5);
    private static final long POLL_MILLIS = 50;

    private final Path wlp;
    private final String osmsServer;
    private final String emptyServer;
    private final int port;
    private final int adminPort;
    private final Path dataDirs;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /**
     * {@code wlp}: the Liberty installation; the two servers' names; OSMS's ports (the empty server listens on the
     * same port, never at the same time); {@code dataDirs}: where the fresh data directories are made.
     */
    StartupBenchmark(Path wlp, String osmsServer, String emptyServer, int port, int adminPort, Path dataDirs) {
        this.wlp = wlp;
        this.osmsServer = osmsServer;
        this.emptyServer = emptyServer;
        this.port = port;
        this.adminPort = adminPort;
        this.dataDirs = dataDirs;
    }

    /** From the system properties the script sets; null when it set none (start-up is then not measured). */
    static StartupBenchmark fromProperties(URI base) {
        String wlp = System.getProperty("osms.bench.wlp");
        if (wlp == null) {
            return null;
        }
        return new StartupBenchmark(Path.of(wlp), System.getProperty("osms.bench.server"),
                System.getProperty("osms.bench.emptyServer"), base.getPort(),
                Integer.getInteger("osms.bench.adminPort"), Path.of(System.getProperty("osms.bench.startupData")));
    }

    /** The table rows: OSMS on a fresh and on an existing data directory, each against the empty application. */
    String rows() throws IOException, InterruptedException {
        stop(osmsServer);
        List<Double> fresh = new ArrayList<>();
        List<Double> existing = new ArrayList<>();
        List<Double> empty = new ArrayList<>();
        for (int round = 0; round <= Benchmarks.RUNS; round++) {
            Path data = dataDirs.resolve("round-" + round);
            Files.createDirectories(data);
            Map<String, String> ports = Map.of("HTTP_PORT", Integer.toString(port), "OSMS_ADMIN_PORT",
                    Integer.toString(adminPort));
            Map<String, String> env = new java.util.HashMap<>(ports);
            env.put("OSMS_DATA_DIR", data.toString());
            double f = seconds(osmsServer, env);
            double e = seconds(osmsServer, env);
            double m = seconds(emptyServer, ports);
            System.err.printf(Locale.ROOT, "start-up, %s: OSMS fresh %.1f s, existing %.1f s, empty app %.1f s%n",
                    round == 0 ? "warm-up" : "round " + round, f, e, m);
            if (round > 0) {
                fresh.add(f);
                existing.add(e);
                empty.add(m);
            }
        }
        return row("fresh data directory: new database, migrations, new server key", fresh, empty)
                + row("existing data directory", existing, empty);
    }

    private static String row(String what, List<Double> osms, List<Double> empty) {
        double ratio = median(osms) / median(empty);
        return String.format(Locale.ROOT, "| start-up, `server start` to the first 200 of `GET /pk` (%s) | %.1f s"
                        + " (%.1f–%.1f) | an empty application (one JAX-RS resource) on the same Liberty with the same"
                        + " features: %.1f s (%.1f–%.1f) | %.2f | ≤ 1.5%s |%n",
                what, median(osms), Collections.min(osms), Collections.max(osms), median(empty),
                Collections.min(empty), Collections.max(empty), ratio, ratio <= 1.5 ? "" : " (not met)");
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    /** Starts the server, times it to the first 200 of {@code GET /pk}, stops it; fails if that never comes. */
    private double seconds(String server, Map<String, String> env) throws IOException, InterruptedException {
        HttpRequest pk = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/pk"))
                .header("Accept", "application/json").timeout(Duration.ofSeconds(5)).build();
        long start = System.nanoTime();
        ProcessBuilder command = new ProcessBuilder(wlp.resolve("bin/server").toString(), "start", server)
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        command.environment().putAll(env);
        Process starting = command.start();
        try {
            while (System.nanoTime() - start < LIMIT.toNanos()) {
                try {
                    if (http.send(pk, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                        return (System.nanoTime() - start) / 1e9;
                    }
                } catch (IOException notYet) {
                    // the port is not open yet: Liberty opens it once the applications have started
                }
                Thread.sleep(POLL_MILLIS);
            }
            throw new IOException(server + " did not answer GET /pk within " + LIMIT);
        } finally {
            starting.waitFor();
            stop(server);
        }
    }

    private void stop(String server) throws IOException, InterruptedException {
        new ProcessBuilder(wlp.resolve("bin/server").toString(), "stop", server).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
    }
}
