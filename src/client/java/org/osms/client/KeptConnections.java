package org.osms.client;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * HTTP/1.1 ({@link Http1}) on persistent connections, however a transport opens them ({@link DirectTransport}: TCP
 * to the server; {@link SocksTransport}: a stream through a SOCKS proxy such as Tor). A login is several requests in a
 * row, and every new connection costs a TCP handshake, or through Tor a new stream to the onion service, before the
 * request itself. Thread-safe: each request takes a connection of its own, an idle one if there is one, and gives it
 * back when its answer was read whole.
 *
 * <p>An idle connection is reused only within a window well inside the time the other side keeps one open. Should it
 * have been closed all the same, the request fails before a single byte of an answer arrives, and it is sent once more
 * on a new connection: the connection was closed while it was idle, so the server never acted on the request. (A
 * server that acted and then died without answering would see the request twice; for OSMS that is harmless: the same
 * OTR message twice is refused as a replay.)
 */
final class KeptConnections {
    /** Idle connections kept per server; more are closed. */
    static final int MAX_IDLE = 8;
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    /** Opens a connection to {@code host}:{@code port} that is ready for an HTTP request. */
    @FunctionalInterface
    interface Dialer {
        Socket dial(String host, int port, boolean tls, int timeoutMillis) throws IOException;
    }

    private final Dialer dialer;
    private final Duration reuseWithin;
    private final Map<String, ConcurrentLinkedDeque<Connection>> idle = new ConcurrentHashMap<>();

    KeptConnections(Dialer dialer, Duration reuseWithin) {
        this.dialer = dialer;
        this.reuseWithin = reuseWithin;
    }

    /** Sends {@code request} to the host, port and scheme (http or https) of its URI; the transport checked them. */
    HttpResponse<String> send(HttpRequest request) throws IOException {
        URI uri = request.uri();
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        int timeoutMillis = (int) request.timeout().orElse(DEFAULT_TIMEOUT).toMillis();
        byte[] body = Http1.body(request);
        byte[] head = Http1.head(request, host, port, tls, body.length, true);
        ConcurrentLinkedDeque<Connection> pool = idle.computeIfAbsent((tls ? "https " : "http ") + host + " " + port,
                k -> new ConcurrentLinkedDeque<>());
        for (Connection c = pool.pollFirst(); c != null; c = pool.pollFirst()) {
            if (!c.fresh(reuseWithin)) {
                c.close();
                continue;
            }
            try {
                return exchange(c, pool, head, body, timeoutMillis, request);
            } catch (IOException e) {
                c.close();
                if (c.received() > 0 || !(e instanceof Http1.NoAnswer || e instanceof java.net.SocketException)) {
                    throw e; // the server was answering: the request reached it
                }
                // closed while idle: the request never reached the server; try the next or a new connection
            }
        }
        Socket socket = dialer.dial(host, port, tls, timeoutMillis);
        Connection c;
        try {
            c = new Connection(socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
        try {
            return exchange(c, pool, head, body, timeoutMillis, request);
        } catch (IOException | RuntimeException e) {
            c.close();
            throw e;
        }
    }

    /** A TCP connection to {@code host}:{@code port} (the server, or the proxy), for requests written whole. */
    static Socket tcp(String host, int port) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true); // a request is written whole; do not wait to fill a segment
            socket.connect(new InetSocketAddress(host, port), (int) CONNECT_TIMEOUT.toMillis());
            return socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private static HttpResponse<String> exchange(Connection c, ConcurrentLinkedDeque<Connection> pool, byte[] head,
                                                 byte[] body, int timeout, HttpRequest request) throws IOException {
        c.counted.answerWithin(timeout);
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

    /** One connection to the server, and how many bytes it has received since the last request was written. */
    private static final class Connection {
        final Socket socket;
        final OutputStream out;
        final InputStream in;
        private final Counting counted;
        volatile long idleSince = System.nanoTime();

        Connection(Socket socket) throws IOException {
            this.socket = socket;
            this.out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            this.counted = new Counting(socket);
            this.in = new BufferedInputStream(counted, 8192);
        }

        boolean fresh(Duration reuseWithin) {
            return !socket.isClosed() && System.nanoTime() - idleSince < reuseWithin.toNanos();
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

    /**
     * The socket's input: counts the bytes read through it, reset whenever a request is written (see {@link
     * Connection#received}), and holds the whole answer to the request's timeout. The socket's own timeout bounds one
     * read only, and a server that sends a byte just before each would run out could keep the client waiting for ever;
     * so each read may wait only for what is left of the answer's time.
     */
    private static final class Counting extends FilterInputStream {
        private final Socket socket;
        long count;
        private long deadline;

        Counting(Socket socket) throws IOException {
            super(socket.getInputStream());
            this.socket = socket;
        }

        /** A request was written: its answer must be read whole within {@code timeoutMillis}. */
        void answerWithin(int timeoutMillis) {
            count = 0;
            deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        }

        private void beforeRead() throws IOException {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw new SocketTimeoutException("the server's answer took longer than the request's timeout");
            }
            socket.setSoTimeout((int) Math.max(1, Math.min(Integer.MAX_VALUE, (left + 999_999) / 1_000_000)));
        }

        @Override
        public int read() throws IOException {
            beforeRead();
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            beforeRead();
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }
}
