package org.osms.web;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Semaphore;
import org.osms.metrics.ServerMetrics;
import org.osms.session.Circuit;

/**
 * A request body is read whole, within a deadline, by a bounded number of threads, before the application sees it.
 *
 * <p>A body is read on a server thread; a client that trickles its body holds that thread. A thousand such clients
 * once grew the executor to a thousand threads and every other request waited 25 seconds. So: at most
 * {@link #MAX_CONCURRENT_READS} bodies are read at once (another request with a body gets {@code 503 busy} at once,
 * with {@code Retry-After}); a body must arrive whole within {@link #DEADLINE_MILLIS} ({@code 408 request_timeout}
 * otherwise; the HTTP endpoint's {@code readTimeout}, 10 seconds, bounds a single wait of the container, which waits
 * for whole blocks); and no body may be longer than {@link #MAX_BODY_BYTES} ({@code 413 too_large}). Requests
 * without a body pass through untouched.
 *
 * <p>One Tor circuit may hold at most {@link #MAX_READS_PER_CIRCUIT} of those reads at once (its further bodies get
 * {@code 429 circuit_busy} at once, as when it holds its share of anything else), so that no single client can take every slot and shut everyone out of every command.
 * Requests that did not come through the front ({@link Circuit#LOCAL}: processes of this machine) have no share of
 * their own. The front buffers a whole body before it forwards it (liberty/front/haproxy.cfg.template), so a body
 * from tor arrives here at loopback speed and holds its slot only briefly.
 */
public class RequestBodies extends HttpFilter {
    private static final long serialVersionUID = 1L;

    /** Well below the executor's core threads (server.xml), so quick requests always find a thread. */
    static final int MAX_CONCURRENT_READS = 16;
    static final long DEADLINE_MILLIS = 10_000;
    /** The longest body any endpoint accepts (one OTR message of 65 536 bytes), and one more byte to notice more. */
    static final int MAX_BODY_BYTES = 64 * 1024;
    /** A few for one client's parallel commands, far fewer than {@link #MAX_CONCURRENT_READS}. */
    static final int MAX_READS_PER_CIRCUIT = 2;
    private static final int RETRY_AFTER_SECONDS = 2;

    @Inject
    transient ServerMetrics metrics;

    private final Semaphore readers = new Semaphore(MAX_CONCURRENT_READS);
    /** Reads under way per circuit, for circuits that have one; guarded by itself. */
    private final Map<Circuit, Integer> circuitReads = new HashMap<>();

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        if (!hasBody(request)) {
            chain.doFilter(request, response);
            return;
        }
        if (request.getContentLengthLong() > MAX_BODY_BYTES) {
            answer(request, response, 413, "too_large", "The body is longer than 65536 bytes.");
            return;
        }
        Circuit circuit;
        try {
            circuit = Circuit.of(request.getHeader(Circuit.HEADER));
        } catch (ApiException e) {
            answer(request, response, e.status(), e.code(), e.getMessage());
            return;
        }
        if (!takeCircuitShare(circuit)) {
            refuse(request, response, 429, "circuit_busy",
                    "This circuit is sending too many request bodies at once; retry later.");
            return;
        }
        byte[] body;
        try {
            if (!readers.tryAcquire()) {
                refuse(request, response, 503, "busy", "The server is reading too many request bodies; retry later.");
                return;
            }
            try {
                body = readWithin(request.getInputStream());
            } catch (IOException e) {
                body = null;
            } finally {
                readers.release();
            }
        } finally {
            releaseCircuitShare(circuit);
        }
        if (body == null) {
            answer(request, response, 408, "request_timeout", "The request body did not arrive in time.");
            return;
        }
        if (body.length > MAX_BODY_BYTES) {
            answer(request, response, 413, "too_large", "The body is longer than 65536 bytes.");
            return;
        }
        chain.doFilter(new ReadBody(request, body), response);
    }

    private boolean takeCircuitShare(Circuit circuit) {
        if (circuit.local()) {
            return true;
        }
        synchronized (circuitReads) {
            int reading = circuitReads.getOrDefault(circuit, 0);
            if (reading >= MAX_READS_PER_CIRCUIT) {
                return false;
            }
            circuitReads.put(circuit, reading + 1);
            return true;
        }
    }

    private void releaseCircuitShare(Circuit circuit) {
        if (circuit.local()) {
            return;
        }
        synchronized (circuitReads) {
            circuitReads.computeIfPresent(circuit, (c, n) -> n == 1 ? null : n - 1);
        }
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, int status, String code,
                        String message) throws IOException {
        response.setHeader("Retry-After", Integer.toString(RETRY_AFTER_SECONDS));
        answer(request, response, status, code, message);
    }

    /** A refusal: counted, answered with OSMS's error document, and the connection closed after it. */
    private void answer(HttpServletRequest request, HttpServletResponse response, int status, String code,
                        String message) throws IOException {
        closeAfterAnswer(request, response);
        ErrorPage.write(response, status, code, message);
        ErrorPage.count(metrics, status);
    }

    /** The unread rest of a refused body is not waited for: HTTP/1.1 closes the connection after the answer. */
    private static void closeAfterAnswer(HttpServletRequest request, HttpServletResponse response) {
        if (request.getProtocol().startsWith("HTTP/1.")) {
            response.setHeader("Connection", "close");
        }
    }

    private static boolean hasBody(HttpServletRequest request) {
        return request.getContentLengthLong() > 0 || request.getHeader("Transfer-Encoding") != null;
    }

    /** The body, at most one byte more than allowed; null when the deadline passed first. */
    private static byte[] readWithin(InputStream in) throws IOException {
        long deadline = System.nanoTime() + DEADLINE_MILLIS * 1_000_000;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        while (out.size() <= MAX_BODY_BYTES) {
            // no more than is already there (at least one byte): the container's read may otherwise wait for a full
            // buffer, and a client trickling one byte a second would never reach the deadline check
            int room = Math.min(buffer.length, MAX_BODY_BYTES + 1 - out.size());
            int n = in.read(buffer, 0, Math.max(1, Math.min(in.available(), room)));
            if (n < 0) {
                return out.toByteArray();
            }
            out.write(buffer, 0, n);
            if (System.nanoTime() - deadline > 0) {
                return null;
            }
        }
        return out.toByteArray();
    }

    /** The request with its body already read. */
    private static final class ReadBody extends HttpServletRequestWrapper {
        private final byte[] body;

        ReadBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }

                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new IllegalStateException("The body has been read already.");
                }
            };
        }

        @Override
        public java.io.BufferedReader getReader() {
            return new java.io.BufferedReader(new java.io.InputStreamReader(getInputStream(),
                    java.nio.charset.StandardCharsets.UTF_8));
        }
    }
}
