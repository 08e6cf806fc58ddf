package org.osms.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/**
 * Retained heap per idle logged-in conversation: what one more held conversation adds to the server's live heap
 * ({@code jcmd <pid> GC.class_histogram}, which runs a full GC first, its total). The limit, measured the same way in
 * the same run: otr4j sessions after a completed OTR v3 handshake, held in a process of their own
 * ({@link HeldOtrSessions}).
 *
 * <p>The rule, on both sides alike: each round holds {@code HELD / 2} conversations (or sessions), takes the settled
 * histogram ({@link Benchmarks.Histogram#settled}: of those taken over a minute without load, the one with the fewest
 * conversation objects), holds {@code HELD / 2} more, takes the settled histogram again, and releases all of them;
 * the figure is the difference of the two totals over the second half, the slope. Only what grows with the number
 * held counts. A single difference against the heap holding none charged the conversations with what any load makes
 * once: the HdrHistogram counts ({@code long[]}, up to 80 KB each) of Micrometer's percentile
 * histograms behind the MicroProfile Metrics timers, which grow as the range of recorded latencies widens and
 * rotate with their time window, and the buffers of pool threads started for the logins, which end later; 9 to 18
 * such arrays appeared between the two histograms, 500–980 bytes per conversation. Settling both histograms lets the
 * EJB container sweep the wrappers of the previous round's removed beans in its own time (see the soak) and the pool
 * threads end, before either is counted. Each side: one warm-up round (measured, not counted), then
 * {@link Benchmarks#RUNS} rounds; the two sides run at the same time, each in its own process (bytes do not depend on
 * what else runs).
 */
final class MemoryBenchmark {
    static final int HELD = Integer.getInteger("osms.bench.heldConversations", 900);

    /** Bytes per held conversation (or session), one figure per round. */
    record Bytes(List<Double> rounds) {
        double median() {
            List<Double> sorted = new ArrayList<>(rounds);
            Collections.sort(sorted);
            return sorted.get(sorted.size() / 2);
        }

        double lowest() {
            return Collections.min(rounds);
        }

        double highest() {
            return Collections.max(rounds);
        }
    }

    private final URI base;
    private final String serverPid;
    private final int clients;

    MemoryBenchmark(URI base, String serverPid, int clients) {
        this.base = base;
        this.serverPid = serverPid;
        this.clients = clients;
    }

    /** The table row: OSMS's figure, the limit's, their ratio and the target. */
    String row() throws Exception {
        // both sides at once, each in its own process: bytes do not depend on who else runs, and each side waits
        // out its settling minutes while the other works
        java.util.concurrent.CompletableFuture<Bytes> limitSide = java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    try {
                        return otrSessionsAlone();
                    } catch (IOException | InterruptedException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                });
        Bytes osms = conversations();
        Bytes limit = limitSide.join();
        double ratio = osms.median() / limit.median();
        return String.format(Locale.ROOT, "| retained heap per idle logged-in conversation (%d held, the slope over"
                        + " the last half) | %.1f KB (%.1f–%.1f) | the otr4j session alone, after a completed OTR v3"
                        + " handshake (%d held in a JVM of their own): %.1f KB (%.1f–%.1f) | %.2f | ≤ 1.2%s |%n",
                HELD, osms.median() / 1024, osms.lowest() / 1024, osms.highest() / 1024, HELD,
                limit.median() / 1024, limit.lowest() / 1024, limit.highest() / 1024, ratio,
                ratio <= 1.2 ? "" : " (not met)");
    }

    /** The server's live heap with {@link #HELD} idle logged-in conversations less with half as many, per one. */
    Bytes conversations() throws Exception {
        OsmsClient client = new OsmsClient(base);
        OtrPublicKey serverKey = client.serverKey();
        Username[] names = new Username[clients];
        KeyPair[] keys = new KeyPair[clients];
        for (int i = 0; i < clients; i++) {
            names[i] = Benchmarks.fresh("held");
            keys[i] = KeyStoreFiles.generate();
            client.register(names[i], keys[i], serverKey).logout();
        }
        List<Double> rounds = new ArrayList<>();
        for (int round = 0; round <= Benchmarks.RUNS; round++) {
            List<OsmsClient.Session> held = new ArrayList<>();
            try {
                held.addAll(hold(client, names, keys, serverKey, HELD / 2));
                Benchmarks.Histogram lower = Benchmarks.Histogram.settled(serverPid);
                held.addAll(hold(client, names, keys, serverKey, HELD - HELD / 2));
                Benchmarks.Histogram upper = Benchmarks.Histogram.settled(serverPid);
                double perConversation = slope(lower, upper);
                System.err.printf(Locale.ROOT, "held conversations, %s: %.0f bytes each%n%s",
                        round == 0 ? "warm-up" : "round " + round, perConversation, upper.diff(lower, 30));
                if (round > 0) {
                    rounds.add(perConversation);
                }
            } finally {
                held.forEach(OsmsClient.Session::logout);
            }
        }
        return new Bytes(rounds);
    }

    private List<OsmsClient.Session> hold(OsmsClient client, Username[] names, KeyPair[] keys,
                                          OtrPublicKey serverKey, int n) throws InterruptedException {
        List<OsmsClient.Session> held = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger left = new AtomicInteger(n);
        try {
            Benchmarks.runOnThreads(clients, "held", me -> {
                while (left.getAndDecrement() > 0) {
                    held.add(client.login(names[me], keys[me], serverKey));
                }
            }, "a login to hold failed");
        } catch (IllegalStateException failed) {
            held.forEach(OsmsClient.Session::logout);
            throw failed;
        }
        return held;
    }

    /** The same measurement of {@link #HELD} bare otr4j sessions in a process of their own. */
    static Bytes otrSessionsAlone() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                HeldOtrSessions.class.getName()).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(),
                StandardCharsets.UTF_8));
             PrintWriter in = new PrintWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8),
                     true)) {
            expect(out, "ready");
            String pid = Long.toString(p.pid());
            List<Double> rounds = new ArrayList<>();
            for (int round = 0; round <= Benchmarks.RUNS; round++) {
                in.println("hold " + HELD / 2);
                expect(out, "held");
                Benchmarks.Histogram lower = Benchmarks.Histogram.settled(pid);
                in.println("hold " + (HELD - HELD / 2));
                expect(out, "held");
                Benchmarks.Histogram upper = Benchmarks.Histogram.settled(pid);
                in.println("drop");
                expect(out, "dropped");
                double perSession = slope(lower, upper);
                System.err.printf(Locale.ROOT, "held otr4j sessions, %s: %.0f bytes each%n%s",
                        round == 0 ? "warm-up" : "round " + round, perSession, upper.diff(lower, 30));
                if (round > 0) {
                    rounds.add(perSession);
                }
            }
            return new Bytes(rounds);
        } finally {
            p.destroy();
            p.waitFor();
        }
    }

    /** Bytes per conversation between the two hold levels: the second half's share of the heap. */
    private static double slope(Benchmarks.Histogram lower, Benchmarks.Histogram upper) {
        return (upper.totalBytes() - lower.totalBytes()) / (double) (HELD - HELD / 2);
    }

    private static void expect(BufferedReader out, String line) throws IOException {
        String got = out.readLine();
        if (!line.equals(got)) {
            throw new IOException("the otr4j session holder answered " + got + ", not " + line);
        }
    }
}
