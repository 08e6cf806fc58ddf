package org.osms.client;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * HTTP/1.1 straight to an {@code http://} server, on persistent connections ({@link KeptConnections}): through the
 * JDK's HTTP client every new connection cost both sides far more processor time than the request itself
 * (docs/performance.md).
 */
final class DirectTransport implements Transport {
    /**
     * How long an idle connection is still used: well inside the time Liberty keeps one open ({@code persistTimeout},
     * 30 s).
     */
    static final Duration REUSE_WITHIN = Duration.ofSeconds(10);
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);

    private final KeptConnections connections = new KeptConnections(DirectTransport::dial, REUSE_WITHIN);

    @Override
    public HttpResponse<String> send(HttpRequest request) throws IOException {
        URI uri = request.uri();
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IOException("only http:// server URLs go through this transport");
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : 80;
        int timeout = (int) request.timeout().orElse(DEFAULT_TIMEOUT).toMillis();
        return connections.send(request, host, port, false, timeout);
    }

    private static Socket dial(String host, int port, boolean tls, int timeoutMillis) throws IOException {
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
}
