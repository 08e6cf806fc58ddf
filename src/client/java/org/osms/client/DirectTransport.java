package org.osms.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * HTTP/1.1 ({@link Http1}) straight to an {@code http://} server, on persistent connections: a login is several
 * requests in a row, and every new connection costs both sides a TCP handshake and, through the JDK's HTTP client,
 * far more processor time than the request itself (docs/performance.md). Thread-safe: each request takes a connection
 * of its own, an idle one if there is one, and gives it back when its answer was read whole.
 *
 * <p>An idle connection is reused only for {@link #REUSE_WITHIN}, well inside the time servers keep one open (Open
 * Liberty: 30 seconds). Should the server have closed it all the same, the request fails before a single byte of an
 * answer arrives, and it is sent once more on a new connection: the server closed that connection while it was idle,
 * so it never acted on the request. (A server that acted and then died without answering would see the request twice;
 * for OSMS that is harmless: the same OTR message twice is refused as a replay.)
 */
final class DirectTransport implements Transport {
    /** How long an idle connection is still used. */
    static final Duration REUSE_WITHIN = Duration.ofSeconds(10);
    /** Idle connections kept per server; more are closed. */
    static final int MAX_IDLE = 8;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    private final Map<String, ConcurrentLinkedDeque<Connection>> idle = new ConcurrentHashMap<>();

    @Override
    public HttpResponse<String> send(HttpRequest request) throws IOException {
        URI uri = request.uri();
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IOException("only http:// server URLs go through this transport");
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : 80;
        byte[] body = Http1.body(request);
        byte[] head = Http1.head(request, host, port, false, body.length, true);
        int timeout = (int) request.timeout().orElse(DEFAULT_TIMEOUT).toMillis();
        ConcurrentLinkedDeque<Connection> pool = idle.computeIfAbsent(host + " " + port,
                k -> new ConcurrentLinkedDeque<>());
        for (Connection c = pool.pollFirst(); c != null; c = pool.pollFirst()) {
            if (!c.fresh()) {
                c.close();
                continue;
            }
            try {
                return exchange(c, pool, head, body, timeout, request);
            } catch (IOException e) {
                c.close();
                if (c.received() > 0 || !(e instanceof Http1.NoAnswer || e instanceof java.net.SocketException)) {
                    throw e; // the server was answering: the request reached it
                }
                // closed while idle: the request never reached the server; try the next or a new connection
            }
        }
        Connection c = Connection.open(host, port);
        try {
            return exchange(c, pool, head, body, timeout, request);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    private static HttpResponse<String> exchange(Connection c, ConcurrentLinkedDeque<Connection> pool, byte[] head,
                                                 byte[] body, int timeout, HttpRequest request) throws IOException {
        c.socket.setSoTimeout(timeout);
        c.counted.count = 0;
        c.out.write(head);
        c.out.write(body);
        c.out.flush();
        Http1.Exchange answer = Http1.read(c.in, request);
        if (answer.reusable() && c.in.available() == 0 && pool.size() < MAX_IDLE) {
            c.idleSince = System.nanoTime();
            pool.offerFirst(c); // the most recently used first: the likeliest to be open still
        } else {
            c.close();
        }
        return answer.answer();
    }

    /** One connection to the server, and how many bytes it has received so far. */
    private static final class Connection {
        final Socket socket;
        final OutputStream out;
        final InputStream in;
        private final Counting counted;
        volatile long idleSince = System.nanoTime();

        private Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            this.counted = new Counting(socket.getInputStream());
            this.in = new BufferedInputStream(counted, 8192);
        }

        static Connection open(String host, int port) throws IOException {
            Socket socket = new Socket();
            try {
                socket.setTcpNoDelay(true); // a request is written whole; do not wait to fill a segment
                socket.connect(new InetSocketAddress(host, port), (int) CONNECT_TIMEOUT.toMillis());
                return new Connection(socket);
            } catch (IOException | RuntimeException e) {
                socket.close();
                throw e;
            }
        }

        boolean fresh() {
            return !socket.isClosed() && System.nanoTime() - idleSince < REUSE_WITHIN.toNanos();
        }

        /** Bytes received since the last request was written: zero until the answer's first byte. */
        long received() {
            return counted.count;
        }

        void close() {
            try {
                socket.close();
            } catch (IOException ignored) {
                // nothing more to do with it
            }
        }
    }

    /** Counts the bytes read through it, reset whenever a request is written (see {@link Connection#received}). */
    private static final class Counting extends FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
