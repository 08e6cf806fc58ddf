package org.osms.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLSession;

/** How the client's HTTP requests reach the server: directly, or through a SOCKS5 proxy such as Tor. */
interface Transport {
    /** Larger answers are refused rather than held in memory, on every transport: no OSMS document comes near it. */
    int MAX_BODY = 64 * 1024 * 1024;

    HttpResponse<String> send(HttpRequest request) throws IOException, InterruptedException;

    /**
     * The transport for {@code server}: through {@code proxy} if there is one (the proxy resolves every host name),
     * otherwise directly. An onion address without a proxy is refused: it cannot be reached without Tor, and trying
     * would ask the local DNS resolver for it.
     */
    static Transport forServer(URI server, Optional<SocksProxy> proxy) {
        if (proxy.isPresent()) {
            return new SocksTransport(proxy.get());
        }
        String host = server.getHost() == null ? "" : server.getHost().toLowerCase(Locale.ROOT);
        if (host.endsWith(".onion") || host.endsWith(".onion.")) {
            throw new OsmsException(0, "proxy_required", server + " is an onion address: reach it through Tor's "
                    + "SOCKS port with --proxy socks5h://127.0.0.1:9050 (the system tor) or socks5h://127.0.0.1:9150 "
                    + "(the Tor Browser), or set OSMS_PROXY.");
        }
        if ("http".equalsIgnoreCase(server.getScheme())) {
            return new DirectTransport(); // plain HTTP/1.1, as docs/protocol.md says (what tor forwards)
        }
        // https (a server behind a TLS front): the JDK's client, HTTP/1.1 only, no h2 upgrade attempts
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(30)).build();
        return request -> {
            long deadline = System.nanoTime() + request.timeout().orElse(Duration.ofSeconds(120)).toNanos();
            HttpResponse<InputStream> answer = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            byte[] body;
            InputStream in = answer.body();
            // the JDK client's timeout ends with the headers: a body sent a byte at a time is cut off (its stream
            // closed) when what is left of the request's time has run out
            CompletableFuture<Void> cut = CompletableFuture.runAsync(() -> closeQuietly(in),
                    CompletableFuture.delayedExecutor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
            try (in) {
                body = in.readNBytes(MAX_BODY + 1); // a hostile server's endless answer stops here
            } catch (IOException e) {
                if (cut.isDone()) {
                    throw new SocketTimeoutException("the server's answer took longer than the request's timeout");
                }
                throw e;
            } finally {
                cut.cancel(false);
            }
            if (body.length > MAX_BODY) {
                throw new IOException("an HTTP answer of unacceptable length");
            }
            return new Answer(answer.statusCode(), answer.headers(), new String(body, StandardCharsets.UTF_8),
                    request);
        };
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the reader sees the stream closed either way
        }
    }

    /** An answer read whole, within {@link #MAX_BODY}. */
    record Answer(int statusCode, HttpHeaders headers, String body, HttpRequest request)
            implements HttpResponse<String> {
        @Override
        public Optional<HttpResponse<String>> previousResponse() {
            return Optional.empty();
        }

        @Override
        public Optional<SSLSession> sslSession() {
            return Optional.empty();
        }

        @Override
        public URI uri() {
            return request.uri();
        }

        @Override
        public HttpClient.Version version() {
            return HttpClient.Version.HTTP_1_1;
        }
    }
}
