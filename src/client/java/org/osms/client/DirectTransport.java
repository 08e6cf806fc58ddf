package org.osms.client;

import java.io.IOException;
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
    private final KeptConnections connections = new KeptConnections(
            (host, port, tls, timeoutMillis) -> KeptConnections.tcp(host, port), REUSE_WITHIN);

    @Override
    public HttpResponse<String> send(HttpRequest request) throws IOException {
        URI uri = request.uri();
        if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IOException("only http:// server URLs go through this transport");
        }
        return connections.send(request);
    }
}
