package org.osms.client;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * HTTP/1.1 through a SOCKS5 proxy (RFC 1928), one connection per request. java.net.http.HttpClient cannot use a SOCKS
 * proxy, and java.net's SOCKS support may resolve names itself; this transport always hands the proxy the server's
 * host name (address type 3, "domain name"), so the name is resolved by the proxy (for Tor: inside the Tor network)
 * and never by the local resolver.
 */
final class SocksTransport implements Transport {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(120);
    private static final int MAX_HEADER_LINE = 16 * 1024;
    private static final int MAX_HEADERS = 200;

    private final SocksProxy proxy;

    SocksTransport(SocksProxy proxy) {
        this.proxy = proxy;
    }

    @Override
    public HttpResponse<String> send(HttpRequest request) throws IOException {
        URI uri = request.uri();
        boolean tls = "https".equalsIgnoreCase(uri.getScheme());
        if (!tls && !"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
            throw new IOException("only http:// and https:// server URLs can go through a proxy");
        }
        String host = uri.getHost().startsWith("[") ? uri.getHost().substring(1, uri.getHost().length() - 1)
                : uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : tls ? 443 : 80;
        byte[] body = body(request);
        int timeout = (int) request.timeout().orElse(DEFAULT_TIMEOUT).toMillis();
        try (Socket socket = new Socket()) {
            // The proxy's own address is the one name resolved here: it is the user's (normally 127.0.0.1).
            socket.connect(new InetSocketAddress(proxy.host(), proxy.port()), (int) CONNECT_TIMEOUT.toMillis());
            socket.setSoTimeout(timeout);
            connect(socket, host, port);
            Socket channel = tls ? tls(socket, host, port) : socket;
            OutputStream out = channel.getOutputStream();
            out.write(head(request, host, port, tls, body.length).getBytes(StandardCharsets.ISO_8859_1));
            out.write(body);
            out.flush();
            return read(new BufferedInputStream(channel.getInputStream()), request);
        } catch (IOException e) {
            throw new IOException("through proxy " + proxy + ": " + e.getMessage(), e);
        }
    }

    /** SOCKS5 greeting (no authentication) and CONNECT to {@code host}:{@code port} by name. */
    private static void connect(Socket socket, String host, int port) throws IOException {
        byte[] name = host.getBytes(StandardCharsets.US_ASCII);
        if (name.length == 0 || name.length > 255) {
            throw new IOException("host name too long for SOCKS5");
        }
        OutputStream out = socket.getOutputStream();
        InputStream in = socket.getInputStream();
        out.write(new byte[] {5, 1, 0});
        out.flush();
        byte[] method = in.readNBytes(2);
        if (method.length < 2 || method[0] != 5) {
            throw new IOException("the proxy does not speak SOCKS5");
        }
        if (method[1] != 0) {
            throw new IOException("the proxy requires an authentication this client does not offer");
        }
        ByteArrayOutputStream connect = new ByteArrayOutputStream();
        connect.write(new byte[] {5, 1, 0, 3, (byte) name.length});
        connect.write(name);
        connect.write(new byte[] {(byte) (port >> 8), (byte) port});
        out.write(connect.toByteArray());
        out.flush();
        byte[] reply = in.readNBytes(4);
        if (reply.length < 4 || reply[0] != 5) {
            throw new IOException("the proxy closed the connection");
        }
        if (reply[1] != 0) {
            throw new IOException("the proxy could not connect to " + host + ":" + port + ": " + refusal(reply[1]));
        }
        int address = switch (reply[3]) {
            case 1 -> 4;
            case 4 -> 16;
            case 3 -> in.read();
            default -> throw new IOException("the proxy sent an unknown address type");
        };
        if (address < 0 || in.readNBytes(address + 2).length != address + 2) {
            throw new IOException("the proxy closed the connection");
        }
    }

    /** RFC 1928's reply codes, and Tor's extended ones for onion services (tor's SocksPort ExtendedErrors). */
    private static String refusal(byte code) {
        return switch (code & 0xff) {
            case 1 -> "general failure";
            case 2 -> "not allowed by the proxy's rules";
            case 3 -> "network unreachable";
            case 4 -> "host unreachable";
            case 5 -> "connection refused";
            case 6 -> "TTL expired";
            case 7 -> "command not supported";
            case 8 -> "address type not supported";
            case 0xf0 -> "onion service descriptor not found";
            case 0xf1 -> "onion service descriptor invalid";
            case 0xf2 -> "onion service introduction failed";
            case 0xf3 -> "onion service rendezvous failed";
            case 0xf4 -> "onion service client authorization missing";
            case 0xf5 -> "onion service client authorization wrong";
            case 0xf6 -> "invalid onion address";
            case 0xf7 -> "onion service introduction timed out";
            default -> "error " + (code & 0xff);
        };
    }

    private static Socket tls(Socket socket, String host, int port) throws IOException {
        SSLSocket ssl = (SSLSocket) ((SSLSocketFactory) SSLSocketFactory.getDefault())
                .createSocket(socket, host, port, true);
        SSLParameters parameters = ssl.getSSLParameters();
        parameters.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(parameters);
        ssl.startHandshake();
        return ssl;
    }

    private static String head(HttpRequest request, String host, int port, boolean tls, int length) {
        URI uri = request.uri();
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        boolean defaultPort = port == (tls ? 443 : 80);
        String authority = (host.contains(":") ? "[" + host + "]" : host) + (defaultPort ? "" : ":" + port);
        StringBuilder head = new StringBuilder(request.method()).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: ").append(authority).append("\r\n");
        request.headers().map().forEach((name, values) -> values.forEach(value -> {
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header " + name + " holds a line break");
            }
            head.append(name).append(": ").append(value).append("\r\n");
        }));
        if (length > 0 || !request.method().equals("GET")) {
            head.append("Content-Length: ").append(length).append("\r\n");
        }
        return head.append("Connection: close\r\n\r\n").toString();
    }

    /** The request's body, collected from its publisher (BodyPublishers.ofString publishes at once). */
    private static byte[] body(HttpRequest request) throws IOException {
        Optional<HttpRequest.BodyPublisher> publisher = request.bodyPublisher();
        if (publisher.isEmpty()) {
            return new byte[0];
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CompletableFuture<byte[]> done = new CompletableFuture<>();
        publisher.get().subscribe(new Flow.Subscriber<ByteBuffer>() {
            @Override
            public void onSubscribe(Flow.Subscription subscription) {
                subscription.request(Long.MAX_VALUE);
            }

            @Override
            public void onNext(ByteBuffer item) {
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                bytes.write(chunk, 0, chunk.length);
            }

            @Override
            public void onError(Throwable throwable) {
                done.completeExceptionally(throwable);
            }

            @Override
            public void onComplete() {
                done.complete(bytes.toByteArray());
            }
        });
        try {
            return done.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IOException("the request body could not be read", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static HttpResponse<String> read(InputStream in, HttpRequest request) throws IOException {
        String status = line(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !parts[1].matches("\\d{3}")) {
            throw new IOException("not an HTTP answer");
        }
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            if (colon <= 0 || headers.size() >= MAX_HEADERS) {
                throw new IOException("a malformed HTTP header");
            }
            headers.computeIfAbsent(line.substring(0, colon).trim(), k -> new java.util.ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        HttpHeaders all = HttpHeaders.of(headers, (name, value) -> true);
        byte[] body;
        if (all.firstValue("Transfer-Encoding").map(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))
                .orElse(false)) {
            body = chunked(in);
        } else if (all.firstValue("Content-Length").isPresent()) {
            long length = all.firstValueAsLong("Content-Length").orElse(-1);
            if (length < 0 || length > MAX_BODY) {
                throw new IOException("an HTTP answer of unacceptable length");
            }
            body = exactly(in, (int) length);
        } else {
            body = in.readNBytes(MAX_BODY + 1);
            if (body.length > MAX_BODY) {
                throw new IOException("an HTTP answer of unacceptable length");
            }
        }
        return new Answer(Integer.parseInt(parts[1]), all, new String(body, StandardCharsets.UTF_8), request);
    }

    private static byte[] chunked(InputStream in) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        while (true) {
            String size = line(in);
            int semicolon = size.indexOf(';');
            int length;
            try {
                length = Integer.parseInt((semicolon < 0 ? size : size.substring(0, semicolon)).trim(), 16);
            } catch (NumberFormatException e) {
                throw new IOException("a malformed chunk");
            }
            if (length < 0 || body.size() + (long) length > MAX_BODY) {
                throw new IOException("an HTTP answer of unacceptable length");
            }
            if (length == 0) {
                while (!line(in).isEmpty()) {
                    // trailers: none that matter here
                }
                return body.toByteArray();
            }
            body.write(exactly(in, length));
            if (!line(in).isEmpty()) {
                throw new IOException("a malformed chunk");
            }
        }
    }

    private static byte[] exactly(InputStream in, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length != length) {
            throw new EOFException("the answer ended early");
        }
        return bytes;
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new EOFException("the answer ended early");
            }
            if (line.length() >= MAX_HEADER_LINE) {
                throw new IOException("an HTTP line too long");
            }
            line.append((char) c);
        }
        int end = line.length();
        return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
    }
}
