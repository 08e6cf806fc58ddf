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
 * Retained heap per idle logged-in conversation: {@link #HELD} conversations logged in and held open, the server's
 * live heap after a full GC ({@code jcmd <pid> GC.class_histogram}, its total) with them against without them,
 * divided by their number. The limit, measured the same way in the same run: as many otr4j sessions after a
 * completed OTR v3 handshake, held in a process of their own ({@link HeldOtrSessions}).
 *
 * <p>Each side: one warm-up round (hold, measure nothing, release), then {@link Benchmarks#RUNS} rounds. The server's
 * baseline of each round is its settled histogram (the EJB container sweeps the wrappers of removed beans in its
 * own time, see the soak); the limit process has nothing to settle.
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
        Bytes limit = otrSessionsAlone();
        Bytes osms = conversations();
        double ratio = osms.median() / limit.median();
        return String.format(Locale.ROOT, "| retained heap per idle logged-in conversation (%d held) | %.1f KB"
                        + " (%.1f–%.1f) | the otr4j session alone, after a completed OTR v3 handshake (%d held in a"
                        + " JVM of their own): %.1f KB (%.1f–%.1f) | %.2f | ≤ 1.2%s |%n",
                HELD, osms.median() / 1024, osms.lowest() / 1024, osms.highest() / 1024, HELD,
                limit.median() / 1024, limit.lowest() / 1024, limit.highest() / 1024, ratio,
                ratio <= 1.2 ? "" : " (not met)");
    }

    /** The server's live heap with {@link #HELD} idle logged-in conversations, less its heap without them. */
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
            Benchmarks.Histogram before = Benchmarks.Histogram.settled(serverPid);
            List<OsmsClient.Session> held = hold(client, names, keys, serverKey);
            Benchmarks.Histogram after = Benchmarks.Histogram.of(serverPid);
            held.forEach(OsmsClient.Session::logout);
            double perConversation = (after.totalBytes() - before.totalBytes()) / (double) HELD;
            System.err.printf(Locale.ROOT, "held conversations, %s: %.0f bytes each%n",
                    round == 0 ? "warm-up" : "round " + round, perConversation);
            if (round > 0) {
                rounds.add(perConversation);
            }
        }
        return new Bytes(rounds);
    }

    private List<OsmsClient.Session> hold(OsmsClient client, Username[] names, KeyPair[] keys,
                                          OtrPublicKey serverKey) throws InterruptedException {
        List<OsmsClient.Session> held = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger left = new AtomicInteger(HELD);
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
                Benchmarks.Histogram before = Benchmarks.Histogram.of(pid);
                in.println("hold " + HELD);
                expect(out, "held");
                Benchmarks.Histogram after = Benchmarks.Histogram.of(pid);
                in.println("drop");
                expect(out, "dropped");
                double perSession = (after.totalBytes() - before.totalBytes()) / (double) HELD;
                System.err.printf(Locale.ROOT, "held otr4j sessions, %s: %.0f bytes each%n",
                        round == 0 ? "warm-up" : "round " + round, perSession);
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

    private static void expect(BufferedReader out, String line) throws IOException {
        String got = out.readLine();
        if (!line.equals(got)) {
            throw new IOException("the otr4j session holder answered " + got + ", not " + line);
        }
    }
}
