package org.osms.bench;

import static org.osms.protocol.JsonDocuments.JSON;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.otr.OtrConversation;
import org.osms.otr.OtrHandshakes;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/**
 * The benchmarks of docs/performance.md, run from a process of their own against a running server on loopback: each
 * OSMS figure beside its limit measured in the same run. Every measure is warm-up runs until steady
 * ({@link #warmUp}), then {@link #RUNS} timed runs of {@code seconds} each; the table gives the median run and the
 * spread (lowest to highest).
 *
 * <p>Arguments: the server's base URL, a label for the database, the Liberty version, the file to append the table
 * to, the seconds per run, and optionally {@code logins} to run only the login load (to profile the server), or
 * {@code relay} to measure and append only the relay ({@link RelayBenchmark}), or {@code lookups} only the lookups.
 */
public final class Benchmarks {
    static final int RUNS = 3;
    /** At least two: after one, logins still rose from run to run as the JIT compiled the server's paths. */
    static final int WARM_UP_RUNS = 2;
    /**
     * Warm-up goes on past {@link #WARM_UP_RUNS} while a run is more than {@link #STEADY} faster than the one before
     * (the JIT still compiling the server's deep paths: logins rose from 86 to 127 per second over three 15 s runs
     * after two warm-up runs), up to this many runs in all.
     */
    static final int MAX_WARM_UP_RUNS = 8;
    static final double STEADY = 0.10;
    /** The timed runs of a measure are taken as steady when the fastest is at most this much faster than the slowest. */
    static final double STEADY_SPREAD = 0.20;
    /** Timed runs beyond {@link #RUNS} while the last of them are not steady, at most. */
    static final int MAX_EXTRA_RUNS = 5;
    private static final int LOGIN_CLIENTS = Integer.getInteger("osms.bench.loginClients", 4);
    private static final int HANDSHAKE_THREADS = 2;

    private final URI base;
    private final Duration run;

    private Benchmarks(URI base, Duration run) {
        this.base = base;
        this.run = run;
    }

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args[0]);
        String database = args[1];
        String liberty = args[2];
        Path out = Path.of(args[3]);
        Duration run = Duration.ofSeconds(Long.parseLong(args[4]));
        Benchmarks b = new Benchmarks(base, run);

        if (args.length > 5 && args[5].equals("logins")) { // only the login load, for a profile of the server
            b.logins();
            return;
        }
        // the server's process id, for its class histogram (the soak); without it the soak is not run
        String serverPid = System.getProperty("osms.bench.serverPid");
        if (args.length > 5 && args[5].equals("soak")) { // only the soak
            System.out.println(b.soak(serverPid, Integer.getInteger("osms.bench.soakLogins", SOAK_LOGINS)));
            return;
        }
        if (args.length > 5 && args[5].equals("memory")) { // only the retained heap per conversation
            System.out.println(new MemoryBenchmark(base, serverPid, LOGIN_CLIENTS).row());
            return;
        }
        if (args.length > 5 && args[5].equals("startup")) { // only start-up (it leaves the server stopped)
            System.out.println(StartupBenchmark.fromProperties(base).rows());
            return;
        }
        List<Row> rows = new ArrayList<>();
        if (args.length > 5 && args[5].equals("relay")) { // only the relay
            append(out, table(database, liberty, run, new RelayBenchmark(base, run).rows()));
            return;
        }
        if (args.length > 5 && args[5].equals("lookups")) { // only the lookups
            append(out, table(database, liberty, run, b.lookups()));
            return;
        }
        Measure handshakes = b.measure("in-process otr4j handshakes", HANDSHAKE_THREADS, Benchmarks::handshake);
        Measure otrLogins = b.measure("in-process otr4j logins", HANDSHAKE_THREADS, Benchmarks::otrLogin);
        Measure logins = b.logins();
        rows.add(new Row("logins/s (handshake + whoami + terminate, " + LOGIN_CLIENTS + " clients)", logins,
                "in-process otr4j handshakes/s (both sides, " + HANDSHAKE_THREADS + " threads)", handshakes, 0.8));
        rows.add(new Row("logins/s (the same logins)", logins, "in-process otr4j logins/s: handshake, one command"
                + " and its reply, disconnect (both sides, " + HANDSHAKE_THREADS + " threads)", otrLogins, 0.8));
        rows.addAll(b.lookups());
        String pool = "";
        if (serverPid != null) { // every lookup has been answered; a second for anything the server still finishes
            Thread.sleep(1000);
            pool = "\n" + ConnectionPool.of(serverPid).idleLine("the lookups");
        }
        rows.addAll(new RelayBenchmark(base, run).rows());
        String table = table(database, liberty, run, rows);
        if (serverPid != null) {
            table += new MemoryBenchmark(base, serverPid, LOGIN_CLIENTS).row();
        }
        String soak = "";
        if (serverPid != null && Integer.getInteger("osms.bench.soakLogins", SOAK_LOGINS) > 0) {
            soak = b.soak(serverPid, Integer.getInteger("osms.bench.soakLogins", SOAK_LOGINS));
        }
        StartupBenchmark startup = StartupBenchmark.fromProperties(base);
        if (startup != null) { // last: it stops and starts the server
            table += startup.rows();
        }
        table += pool; // after the table's last row
        table += soak;
        append(out, table);
    }

    private static void append(Path out, String table) throws IOException {
        System.out.println(table);
        Files.writeString(out, table, StandardCharsets.UTF_8, java.nio.file.StandardOpenOption.CREATE,
                java.nio.file.StandardOpenOption.APPEND);
    }

    /** One timed operation of a load thread. */
    @FunctionalInterface
    interface Operation {
        void run(int thread) throws Exception;
    }

    /** Operations per second over a run, and the latencies of its operations. */
    record Sample(double perSecond, double p50Millis, double p99Millis) {
    }

    /**
     * The runs of one measure: the last {@link #RUNS} timed runs, and whether they were {@link #steady} (else the
     * table says so).
     */
    record Measure(String what, List<Sample> samples, boolean steady) {
        Sample median() {
            List<Sample> sorted = new ArrayList<>(samples);
            sorted.sort((a, b) -> Double.compare(a.perSecond, b.perSecond));
            return sorted.get(sorted.size() / 2);
        }

        double lowest() {
            return samples.stream().mapToDouble(Sample::perSecond).min().orElse(0);
        }

        double highest() {
            return samples.stream().mapToDouble(Sample::perSecond).max().orElse(0);
        }
    }

    record Row(String measure, Measure osms, String limitName, Measure limit, double target) {
        double ratio() {
            return osms.median().perSecond / limit.median().perSecond;
        }
    }

    /** One warm-up run's rate, for {@link #warmUp}. */
    interface Run {
        double perSecond() throws Exception;
    }

    /**
     * Warm-up runs until the rate is steady: at least {@link #WARM_UP_RUNS}, then more while a run is more than
     * {@link #STEADY} faster than the previous one, {@link #MAX_WARM_UP_RUNS} at most. Every measure, OSMS's and its
     * limit's alike, is warmed up this way.
     */
    static void warmUp(String what, Run run) throws Exception {
        System.err.println("warming up: " + what);
        double previous = 0;
        for (int i = 0; i < MAX_WARM_UP_RUNS; i++) {
            double rate = run.perSecond();
            System.err.printf(Locale.ROOT, "%s, warm-up %d: %.1f/s%n", what, i + 1, rate);
            if (i + 1 >= WARM_UP_RUNS && rate <= previous * (1 + STEADY)) {
                return;
            }
            previous = rate;
        }
    }

    private Measure measure(String what, int threads, Operation op) throws Exception {
        return measure(what, () -> once(threads, op, run));
    }

    /** One timed run of a measure. */
    @FunctionalInterface
    interface TimedRun {
        Sample once() throws Exception;
    }

    /**
     * Warm-up ({@link #warmUp}), then timed runs until the last {@link #RUNS} are {@link #steady}, at most
     * {@link #MAX_EXTRA_RUNS} more: a server whose JIT was still compiling once warm-up ended (each run faster than
     * the one before by a third or more) must not be measured in passing.
     */
    static Measure measure(String what, TimedRun timed) throws Exception {
        warmUp(what, () -> timed.once().perSecond);
        List<Sample> all = new ArrayList<>();
        List<Sample> window = List.of();
        for (int i = 0; i < RUNS + MAX_EXTRA_RUNS; i++) {
            timedRun(what, timed, all);
            if (all.size() >= RUNS) {
                window = List.copyOf(all.subList(all.size() - RUNS, all.size()));
                if (steady(window)) {
                    return new Measure(what, window, true);
                }
            }
        }
        System.err.printf(Locale.ROOT, "%s: the last %d runs still differ by more than %.0f%%%n", what, RUNS,
                STEADY_SPREAD * 100);
        return new Measure(what, window, false);
    }

    /**
     * Two measures of one server taken in turn, run by run, for the ratio of the two: whatever the server goes through
     * meanwhile falls on both. Measured one after the other, a fresh server's first minute ({@code GET /pk} at
     * 4,895–5,440 requests a second for three steady runs, the lookup measured after it at 9,451–10,215) made a ratio
     * of 1.94 on the embedded database and 0.69 on PostgreSQL (docs/performance.md, "Two measures in turn"). The order
     * within a pair alternates (A B, B A, A B, …), so that a server still getting faster favours neither side. Warm-up
     * as {@link #warmUp}, on each pair's added rates; then pairs of timed runs until the last {@link #RUNS} of each are
     * {@link #steady}, {@link #MAX_EXTRA_RUNS} more pairs at most.
     */
    static List<Measure> inTurn(String whatA, TimedRun a, String whatB, TimedRun b) throws Exception {
        warmUp(whatA + " and " + whatB + " in turn (the two rates added)", () -> a.once().perSecond
                + b.once().perSecond);
        List<Sample> as = new ArrayList<>();
        List<Sample> bs = new ArrayList<>();
        List<Sample> windowA = List.of();
        List<Sample> windowB = List.of();
        for (int i = 0; i < RUNS + MAX_EXTRA_RUNS; i++) {
            if (i % 2 == 0) {
                timedRun(whatA, a, as);
                timedRun(whatB, b, bs);
            } else {
                timedRun(whatB, b, bs);
                timedRun(whatA, a, as);
            }
            if (as.size() >= RUNS) {
                windowA = List.copyOf(as.subList(as.size() - RUNS, as.size()));
                windowB = List.copyOf(bs.subList(bs.size() - RUNS, bs.size()));
                if (steady(windowA) && steady(windowB)) {
                    return List.of(new Measure(whatA, windowA, true), new Measure(whatB, windowB, true));
                }
            }
        }
        System.err.printf(Locale.ROOT, "%s and %s: the last %d runs of each still differ by more than %.0f%%%n",
                whatA, whatB, RUNS, STEADY_SPREAD * 100);
        return List.of(new Measure(whatA, windowA, steady(windowA)), new Measure(whatB, windowB, steady(windowB)));
    }

    private static void timedRun(String what, TimedRun timed, List<Sample> runs) throws Exception {
        runs.add(timed.once());
        System.err.printf(Locale.ROOT, "%s, run %d: %.1f/s%n", what, runs.size(), runs.get(runs.size() - 1).perSecond);
    }

    /** Whether the fastest of these runs is at most {@link #STEADY_SPREAD} faster than the slowest. */
    static boolean steady(List<Sample> runs) {
        double lowest = runs.stream().mapToDouble(Sample::perSecond).min().orElse(0);
        double highest = runs.stream().mapToDouble(Sample::perSecond).max().orElse(0);
        return highest <= lowest * (1 + STEADY_SPREAD);
    }

    /** What one of {@link #runOnThreads}'s threads does; {@code thread} is its number, from 0. */
    @FunctionalInterface
    interface ThreadBody {
        void run(int thread) throws Exception;
    }

    /**
     * Runs {@code body} on {@code n} threads, named {@code name-0} and on, and waits for them all; if any of them
     * failed, throws an {@link IllegalStateException} saying {@code failed}, with the first failure as its cause. A
     * thread that fails ends; the others go on.
     */
    static void runOnThreads(int n, String name, ThreadBody body, String failed) throws InterruptedException {
        List<Thread> threads = new ArrayList<>();
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < n; t++) {
            int me = t;
            Thread w = new Thread(() -> {
                try {
                    body.run(me);
                } catch (Throwable e) {
                    failures.add(e);
                }
            }, name + "-" + t);
            threads.add(w);
            w.start();
        }
        for (Thread w : threads) {
            w.join();
        }
        if (!failures.isEmpty()) {
            throw new IllegalStateException(failed, failures.get(0));
        }
    }

    /**
     * {@code threads} threads repeat {@code op} for {@code length}: none starts an operation after that, and the run
     * lasts until the last one has ended; a failed operation fails the benchmark once the others have stopped.
     */
    static Sample once(int threads, Operation op, Duration length) throws InterruptedException {
        long[][] latencies = new long[threads][1 << 18];
        int[] counts = new int[threads];
        long start = System.nanoTime();
        long end = start + length.toNanos();
        runOnThreads(threads, "bench", t -> {
            long[] mine = latencies[t];
            while (System.nanoTime() - end < 0 && counts[t] < mine.length) {
                long began = System.nanoTime();
                op.run(t);
                mine[counts[t]++] = System.nanoTime() - began;
            }
        }, "an operation failed");
        double seconds = (System.nanoTime() - start) / 1e9;
        int total = Arrays.stream(counts).sum();
        long[] all = new long[total];
        int at = 0;
        for (int t = 0; t < threads; t++) {
            System.arraycopy(latencies[t], 0, all, at, counts[t]);
            at += counts[t];
        }
        Arrays.sort(all);
        return new Sample(total / seconds, percentile(all, 0.50), percentile(all, 0.99));
    }

    private static double percentile(long[] sorted, double p) {
        return sorted.length == 0 ? 0 : sorted[Math.min(sorted.length - 1, (int) (p * sorted.length))] / 1e6;
    }

    // -- the limit for logins: both sides of an OTR v3 handshake in this process, as OSMS carries it over HTTP

    private static final KeyPair CLIENT_KEY = KeyStoreFiles.generate();
    private static final KeyPair SERVER_KEY = KeyStoreFiles.generate();

    private static void handshake(int thread) throws Exception {
        OtrConversation client = new OtrConversation("client", "server", CLIENT_KEY);
        OtrConversation server = new OtrConversation("server", "client", SERVER_KEY);
        OtrHandshakes.run(client, server);
        if (!client.isEncrypted() || !server.isEncrypted()) {
            throw new IllegalStateException("the in-process handshake did not complete");
        }
    }

    private static final String WHOAMI = JSON.createObjectBuilder().add("seq", 1).add("command", "whoami").build()
            .toString();
    private static final String WHOAMI_REPLY = JSON.createObjectBuilder().add("seq", 1).add("username",
            "bench0123456789").add("ok", true).build().toString();

    /**
     * All the OTR work of one benchmark login, both sides in this process: the handshake, one command and its reply
     * (a data message each way, each with its key exchange), and the disconnect. What is left of a login over HTTP is
     * the transport, the JSON, the container and the database.
     */
    private static void otrLogin(int thread) throws Exception {
        OtrConversation client = new OtrConversation("client", "server", CLIENT_KEY);
        OtrConversation server = new OtrConversation("server", "client", SERVER_KEY);
        OtrHandshakes.run(client, server);
        String command = null;
        for (String m : client.send(WHOAMI)) {
            command = server.receive(m).plaintext().orElse(command);
        }
        String reply = null;
        for (String m : server.send(WHOAMI_REPLY)) {
            reply = client.receive(m).plaintext().orElse(reply);
        }
        List<String> bye = client.end();
        server.receive(bye.get(bye.size() - 1));
        if (!WHOAMI.equals(command) || !WHOAMI_REPLY.equals(reply) || !server.isFinished()) {
            throw new IllegalStateException("the in-process login did not complete");
        }
    }

    // -- logins over HTTP with the reference client

    private Measure logins() throws Exception {
        OsmsClient client = new OsmsClient(base);
        OtrPublicKey serverKey = client.serverKey();
        Username[] names = new Username[LOGIN_CLIENTS];
        KeyPair[] keys = new KeyPair[LOGIN_CLIENTS];
        for (int i = 0; i < LOGIN_CLIENTS; i++) {
            names[i] = fresh("bench");
            keys[i] = KeyStoreFiles.generate();
            client.register(names[i], keys[i], serverKey).logout();
        }
        return measure("logins", LOGIN_CLIENTS, thread -> {
            OsmsClient.Session s = client.login(names[thread], keys[thread], serverKey);
            String me = s.command(JSON.createObjectBuilder().add("command", "whoami").build()).getString("username");
            if (!me.equals(names[thread].value())) {
                throw new IllegalStateException("whoami answered " + me);
            }
            s.logout();
        });
    }

    // -- the soak: many logins and logouts, then the server's heap after a full GC against its heap before

    static final int SOAK_LOGINS = 20_000;
    /**
     * Logins before the baseline: enough to fill the caches that are bounded by design, such as the EJB container's
     * cache of bean wrappers (it keeps a few thousand wrappers of removed beans and evicts beyond that).
     */
    static final int SOAK_WARM_UP = 5_000;

    /**
     * {@code logins} logins and logouts by {@link #LOGIN_CLIENTS} clients, with the server's class histogram (which
     * runs a full GC first) taken before and after: what a logged-out conversation leaves behind shows as objects of
     * the conversation's classes and as retained heap that grew with the number of logins.
     */
    private String soak(String serverPid, int logins) throws Exception {
        OsmsClient client = new OsmsClient(base);
        OtrPublicKey serverKey = client.serverKey();
        Username[] names = new Username[LOGIN_CLIENTS];
        KeyPair[] keys = new KeyPair[LOGIN_CLIENTS];
        for (int i = 0; i < LOGIN_CLIENTS; i++) {
            names[i] = fresh("soak");
            keys[i] = KeyStoreFiles.generate();
            client.register(names[i], keys[i], serverKey).logout();
        }
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger();
        ThreadBody load = thread -> {
            while (left.getAndDecrement() > 0) {
                client.login(names[thread], keys[thread], serverKey).logout();
            }
        };
        // Warm up and fill the caches that are meant to fill (bounded ones); then the baseline.
        Histogram before = null;
        long started = 0;
        for (int phase = 0; phase < 2; phase++) {
            left.set(phase == 0 ? SOAK_WARM_UP : logins);
            if (phase == 1) {
                before = Histogram.settled(serverPid);
                started = System.nanoTime();
            }
            runOnThreads(LOGIN_CLIENTS, "soak", load, "a soak login failed");
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        Histogram atOnce = Histogram.of(serverPid);
        Histogram after = Histogram.settled(serverPid);
        StringBuilder t = new StringBuilder(String.format(Locale.ROOT, "%nSoak: %,d logins and logouts (%d clients,"
                        + " %.0f s, after %,d to warm up), the server's heap after a full GC (class histogram): before,"
                        + " at once after, and settled (the lowest of the histograms taken every %d s over %d s of"
                        + " idleness, before and after alike: the EJB container evicts its cache of bean wrappers"
                        + " in sweeps).%n%n| objects | before (settled) | after, at once | after (settled) |"
                        + " settled, per 1,000 logins |%n|---|---|---|---|---|%n",
                logins, LOGIN_CLIENTS, seconds, SOAK_WARM_UP, Histogram.SETTLE_STEP_SECONDS,
                Histogram.SETTLE_STEPS * Histogram.SETTLE_STEP_SECONDS));
        java.util.Set<String> classes = new java.util.TreeSet<>(before.conversationClasses());
        classes.addAll(atOnce.conversationClasses());
        classes.addAll(after.conversationClasses());
        for (String c : classes) {
            long b0 = before.instances(c);
            long a0 = after.instances(c);
            t.append(String.format(Locale.ROOT, "| `%s` | %d | %d | %d | %+.1f |%n", c, b0, atOnce.instances(c), a0,
                    (a0 - b0) * 1000.0 / logins));
        }
        t.append(String.format(Locale.ROOT, "| live heap (bytes) | %d | %d | %d | %+.0f |%n", before.totalBytes(),
                atOnce.totalBytes(), after.totalBytes(),
                (after.totalBytes() - before.totalBytes()) * 1000.0 / logins));
        return t.toString();
    }

    /**
     * A class histogram of the server's live objects ({@link org.osms.it.ClassHistogram}: {@code jcmd <pid>
     * GC.class_histogram}, after a full GC), with what the soak and the memory measure read from it.
     */
    record Histogram(org.osms.it.ClassHistogram classes) {
        /** Conversation, its EJB wrapper and CDI proxy, its state, its otr4j session: what one login creates. */
        private static final java.util.regex.Pattern CONVERSATION = java.util.regex.Pattern.compile(
                "org\\.osms\\.session\\.(Conversation\\b.*|EJSLocal.*Conversation.*|ConversationState)"
                        + "|org\\.osms\\.otr\\.OtrConversation|net\\.java\\.otr4j\\.session\\.SessionImpl"
                        + "|com\\.ibm\\.ejs\\.container\\.EJSWrapperCommon");

        static final int SETTLE_STEPS = 6;
        static final int SETTLE_STEP_SECONDS = 10;

        /**
         * The histogram with the fewest conversation objects of those taken over a minute without load: a cache that
         * is swept shows its floor, while anything leaked stays in every one of them.
         */
        static Histogram settled(String pid) throws IOException, InterruptedException {
            Histogram best = of(pid);
            for (int i = 0; i < SETTLE_STEPS; i++) {
                Thread.sleep(SETTLE_STEP_SECONDS * 1000L);
                Histogram h = of(pid);
                if (h.conversationObjects() < best.conversationObjects()) {
                    best = h;
                }
            }
            return best;
        }

        static Histogram of(String pid) throws IOException, InterruptedException {
            return new Histogram(org.osms.it.ClassHistogram.of(pid));
        }

        long conversationObjects() {
            return classes.instances(c -> CONVERSATION.matcher(c).matches());
        }

        List<String> conversationClasses() {
            return classes.instances().keySet().stream().filter(c -> CONVERSATION.matcher(c).matches()).toList();
        }

        long totalBytes() {
            return classes.totalBytes();
        }

        long instances(String c) {
            return classes.instances().getOrDefault(c, 0L);
        }

        private long bytes(String c) {
            return classes.bytes().getOrDefault(c, 0L);
        }

        /**
         * The classes whose bytes changed most from {@code before} to this histogram, largest change first: one line
         * each with the change in instances and in bytes, for finding what a measured difference is made of.
         */
        String diff(Histogram before, int classes) {
            java.util.Set<String> all = new java.util.HashSet<>(this.classes.bytes().keySet());
            all.addAll(before.classes.bytes().keySet());
            StringBuilder t = new StringBuilder();
            all.stream().sorted(java.util.Comparator.comparingLong((String c) -> -Math.abs(bytes(c) - before.bytes(c))))
                    .limit(classes).forEach(c -> t.append(String.format(Locale.ROOT, "  %+8d objects %+10d bytes  %s%n",
                            instances(c) - before.instances(c), bytes(c) - before.bytes(c), c)));
            return t.toString();
        }
    }

    // -- lookups against a trivial endpoint of the same server

    /**
     * {@code GET /user/{name}} beside {@code GET /pk} at 16 and 64 connections, the two in turn run by run
     * ({@link #inTurn}). The load comes
     * from {@link Wrk} when it is installed, from the JDK's HTTP client otherwise (which the row then names: on two
     * cores that driver costs more processor time than the server, and both endpoints run at its pace).
     */
    private List<Row> lookups() throws Exception {
        String name = lookupTarget();
        Optional<Wrk> wrk = Wrk.onPath();
        String driver = wrk.isPresent() ? "wrk" : "the JDK's HTTP client: wrk is not installed";
        List<Row> rows = new ArrayList<>();
        for (int connections : new int[] {16, 64}) {
            List<Measure> measured = inTurn("GET /pk", lookupRun(wrk, "/pk", connections), "GET /user/{name}",
                    lookupRun(wrk, "/user/" + name, connections));
            Measure pk = measured.get(0);
            Measure user = measured.get(1);
            rows.add(new Row("`GET /user/{name}` at " + connections + " connections (" + driver + ")", user,
                    "`GET /pk` at " + connections + " connections", pk, 0.9));
        }
        return rows;
    }

    private TimedRun lookupRun(Optional<Wrk> wrk, String path, int connections) throws Exception {
        getter(path).run(0); // the path answers 200 (wrk counts statuses but reads no body)
        if (wrk.isPresent()) {
            return () -> wrk.get().run(base.resolve(path), connections, run);
        }
        Operation get = getter(path);
        return () -> once(connections, get, run);
    }

    private String lookupTarget() {
        OsmsClient client = new OsmsClient(base);
        Username name = fresh("lookup");
        client.register(name, KeyStoreFiles.generate(), client.serverKey()).logout();
        return name.value();
    }

    private Operation getter(String path) {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path)).header("Accept", "application/json").build();
        return thread -> {
            HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IOException(path + " answered " + r.statusCode());
            }
        };
    }

    static Username fresh(String prefix) {
        return Username.of(prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
    }

    // -- the report

    static String table(String database, String liberty, Duration run, List<Row> rows) {
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        StringBuilder t = new StringBuilder();
        t.append("\n### ").append(database).append(", ").append(Instant.now().truncatedTo(
                java.time.temporal.ChronoUnit.SECONDS)).append("\n\n");
        t.append(String.format(Locale.ROOT, "Machine: %d cores, %.1f GiB memory; load driver JVM %s %s;"
                        + " Liberty %s; database %s. Median of %d runs of %s after at least two warm-up runs"
                        + " (more until a run is within 10%% of the one before), the last %d of up to %d timed runs,"
                        + " taken until the fastest of the last %d is within %.0f%% of the slowest (\"unsteady\" where"
                        + " they never were);"
                        + " spread = lowest–highest run; load average (1 minute) as the table was written: %.1f.%n%n",
                Runtime.getRuntime().availableProcessors(), os.getTotalMemorySize() / (1024.0 * 1024 * 1024),
                System.getProperty("java.vm.name"), System.getProperty("java.version"), liberty, database, RUNS,
                run.toSeconds() + " s", RUNS, RUNS + MAX_EXTRA_RUNS, RUNS, STEADY_SPREAD * 100,
                os.getSystemLoadAverage()));
        t.append("| measure | OSMS (median, spread, p50 / p99) | limit in the same run (median, spread) | ratio |"
                + " target |\n|---|---|---|---|---|\n");
        for (Row r : rows) {
            Sample o = r.osms.median();
            Sample l = r.limit.median();
            t.append(String.format(Locale.ROOT, "| %s | %.0f/s (%.0f–%.0f%s), %.1f / %.1f ms | %s: %.0f/s (%.0f–%.0f%s),"
                            + " p99 %.1f ms | %.2f | ≥ %.1f%s |%n",
                    r.measure, o.perSecond, r.osms.lowest(), r.osms.highest(), r.osms.steady() ? "" : ", unsteady",
                    o.p50Millis, o.p99Millis, r.limitName, l.perSecond, r.limit.lowest(), r.limit.highest(),
                    r.limit.steady() ? "" : ", unsteady", l.p99Millis, r.ratio(), r.target,
                    r.ratio() >= r.target ? "" : " (not met)"));
        }
        return t.toString();
    }
}
