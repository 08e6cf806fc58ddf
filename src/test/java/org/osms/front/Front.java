package org.osms.front;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * The shipped front (liberty/front/osms-front, haproxy) in front of the test server, on a free port, and tor's side
 * of it simulated: every connection opens with the PROXY protocol v1 header tor writes for
 * {@code HiddenServiceExportCircuitID haproxy} (source {@code fc00:dead:beef:4dad::HIGH:LOW}, the circuit's global id).
 * Skipped with a message without haproxy unless OSMS_REQUIRE_HAPROXY=1 (CI sets it).
 */
public final class Front implements AutoCloseable {
    private final Process process;
    private final int port;
    private final Path log;
    private final List<AutoCloseable> relays = new CopyOnWriteArrayList<>();

    /** What haproxy wrote: its warnings and alerts, and errors of the Lua check. */
    Path log() {
        return log;
    }

    private Front(Process process, int port, Path log) {
        this.log = log;
        this.process = process;
        this.port = port;
    }

    public static void requireHaproxy() {
        if (!new File("/usr/sbin/haproxy").canExecute() && !new File("/usr/bin/haproxy").canExecute()) {
            if ("1".equals(System.getenv("OSMS_REQUIRE_HAPROXY"))) {
                throw new AssertionError("OSMS_REQUIRE_HAPROXY=1 but haproxy is not installed");
            }
            Assumptions.abort("haproxy is not installed (apt-get install haproxy): the tests through the onion "
                    + "service's front are skipped; CI requires them.");
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Starts the front for OSMS's port; returns once it accepts connections. */
    static Front start(Path dir, int httpPort) throws Exception {
        requireHaproxy();
        int port = freePort();
        ProcessBuilder pb = new ProcessBuilder(new File("liberty/front/osms-front").getAbsolutePath())
                .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile());
        pb.environment().put("OSMS_FRONT_DIR", dir.resolve("front").toString());
        pb.environment().put("OSMS_FRONT_PORT", String.valueOf(port));
        pb.environment().put("HTTP_PORT", String.valueOf(httpPort));
        Front front = new Front(pb.start(), port, dir.resolve("haproxy.log"));
        for (int i = 0; i < 100; i++) {
            if (!front.process.isAlive()) {
                throw new AssertionError("the front stopped at once; see " + dir.resolve("haproxy.log"));
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
                return front;
            } catch (IOException notYet) {
                Thread.sleep(100);
            }
        }
        front.close();
        throw new AssertionError("the front did not listen on " + port);
    }

    int port() {
        return port;
    }

    /** The address haproxy reports for a circuit, as OSMS receives it in OSMS-Circuit. */
    static String circuitAddress(long globalId) {
        return "fc00:dead:beef:4dad::" + (globalId >> 16 == 0 ? "" : Long.toHexString(globalId >> 16) + ":")
                + Long.toHexString(globalId & 0xffff);
    }

    /** The PROXY header tor sends for a stream on this circuit (tor's connection_edge.c, export_hs_client_circuit_id). */
    static byte[] proxyHeader(long globalId) {
        return String.format("PROXY TCP6 fc00:dead:beef:4dad::%x:%x ::1 %d 0\r\n", globalId >> 16, globalId & 0xffff,
                globalId & 0xffff).getBytes(StandardCharsets.US_ASCII);
    }

    /** An answer read off the wire. */
    record Answer(int status, Map<String, String> headers, String body) {
        String header(String name) {
            return headers.get(name.toLowerCase(java.util.Locale.ROOT));
        }
    }

    /** Sends raw bytes after the circuit's PROXY header on a new connection and reads the answer until it closes. */
    Answer raw(long circuit, byte[] request) throws IOException {
        return trickled(circuit, request, Math.max(1, request.length), 0);
    }

    /**
     * As {@link #raw}, but the request is written {@code piece} bytes at a time, each flushed on its own with a
     * pause of {@code pauseMillis} after it, so that the front sees the head arrive in parts (its check reads only
     * what is new each time).
     */
    Answer trickled(long circuit, byte[] request, int piece, long pauseMillis) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(30_000);
            s.setTcpNoDelay(true);
            OutputStream out = s.getOutputStream();
            out.write(proxyHeader(circuit));
            out.flush();
            // Written on another thread while this one reads: the front answers a hostile head as soon as it has
            // seen enough and closes, so writing the rest of a large one fails, and the answer must be read at once.
            Thread writer = new Thread(() -> {
                try {
                    for (int at = 0; at < request.length; at += piece) {
                        out.write(request, at, Math.min(piece, request.length - at));
                        out.flush();
                        Thread.sleep(pauseMillis);
                    }
                } catch (IOException | InterruptedException refusedMidway) {
                    // the front answered and closed before taking the whole request
                }
            }, "trickled-request");
            writer.setDaemon(true);
            writer.start();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException endedOrReset) {
                // haproxy closes after an error answer; a reset after the answer still leaves the answer read
            }
            return parse(got.toString(StandardCharsets.ISO_8859_1));
        }
    }

    static Answer parse(String wire) {
        int headEnd = wire.indexOf("\r\n\r\n");
        if (headEnd < 0) {
            throw new AssertionError("no HTTP answer: " + wire);
        }
        String[] lines = wire.substring(0, headEnd).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new TreeMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(java.util.Locale.ROOT),
                    lines[i].substring(colon + 1).trim());
        }
        return new Answer(status, headers, wire.substring(headEnd + 4));
    }

    /**
     * A local port that stands for tor on one circuit: each connection to it reaches the front with that circuit's
     * PROXY header, so an ordinary HTTP client (the reference client) can be given {@code http://127.0.0.1:port}.
     */
    Relay relay(long circuit) throws IOException {
        Relay r = new Relay(circuit);
        relays.add(r);
        return r;
    }

    final class Relay implements AutoCloseable {
        private final ServerSocket listener;
        private final ExecutorService pumps = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "circuit-relay");
            t.setDaemon(true);
            return t;
        });
        private final List<Socket> sockets = new CopyOnWriteArrayList<>();

        private Relay(long circuit) throws IOException {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            pumps.execute(() -> {
                while (!listener.isClosed()) {
                    try {
                        Socket client = listener.accept();
                        Socket upstream = new Socket(InetAddress.getLoopbackAddress(), port);
                        sockets.add(client);
                        sockets.add(upstream);
                        upstream.getOutputStream().write(proxyHeader(circuit));
                        pumps.execute(() -> pump(client, upstream));
                        pumps.execute(() -> pump(upstream, client));
                    } catch (IOException | RuntimeException closed) {
                        // the listener was closed, or a connection failed: the client sees it fail
                    }
                }
            });
        }

        private void pump(Socket from, Socket to) {
            try (InputStream in = from.getInputStream()) {
                in.transferTo(to.getOutputStream());
            } catch (IOException ended) {
                // either side closed
            } finally {
                // one side is done: the exchange is over (neither HTTP client nor haproxy half-closes here)
                for (Socket s : List.of(from, to)) {
                    try {
                        s.close();
                    } catch (IOException ignored) {
                        // already closed
                    }
                    sockets.remove(s);
                }
            }
        }

        String base() {
            return "http://127.0.0.1:" + listener.getLocalPort();
        }

        @Override
        public void close() throws IOException {
            listener.close();
            for (Socket s : sockets) {
                s.close();
            }
            pumps.shutdownNow();
        }
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable r : relays) {
            r.close();
        }
        process.destroy();
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
        }
    }
}
