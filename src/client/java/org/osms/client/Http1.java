package org.osms.client;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
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

/**
 * The HTTP/1.1 framing the client's socket transports share ({@link DirectTransport}, {@link SocksTransport}): one
 * request head, and one answer read within {@link Transport#MAX_BODY}, with bounded lines and header counts, whatever
 * the server sends.
 */
final class Http1 {
    private static final int MAX_HEADER_LINE = 16 * 1024;
    private static final int MAX_HEADERS = 200;

    private Http1() {
    }

    /** An answer, and whether its connection may carry another request (framed, and not closed by the server). */
    record Exchange(HttpResponse<String> answer, boolean reusable) {
    }

    /** The connection closed before a single byte of an answer arrived. */
    static final class NoAnswer extends EOFException {
        NoAnswer() {
            super("the server closed the connection without answering");
        }
    }

    static byte[] head(HttpRequest request, String host, int port, boolean tls, int length, boolean keepAlive) {
        URI uri = request.uri();
        String target = (uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath())
                + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        boolean defaultPort = port == (tls ? 443 : 80);
        String authority = (host.contains(":") ? "[" + host + "]" : host) + (defaultPort ? "" : ":" + port);
        StringBuilder head = new StringBuilder(256).append(request.method()).append(' ').append(target)
                .append(" HTTP/1.1\r\nHost: ").append(authority).append("\r\n");
        request.headers().map().forEach((name, values) -> values.forEach(value -> {
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new IllegalArgumentException("header " + name + " holds a line break");
            }
            head.append(name).append(": ").append(value).append("\r\n");
        }));
        if (length > 0 || !request.method().equals("GET")) {
            head.append("Content-Length: ").append(length).append("\r\n");
        }
        if (!keepAlive) {
            head.append("Connection: close\r\n");
        }
        return head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** The request's body, collected from its publisher (BodyPublishers.ofString publishes at once). */
    static byte[] body(HttpRequest request) throws IOException {
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

    /** Reads one answer; {@link NoAnswer} if the stream ended before its first byte. */
    static Exchange read(InputStream in, HttpRequest request) throws IOException {
        int first = in.read();
        if (first < 0) {
            throw new NoAnswer();
        }
        String status = (char) first + line(in);
        String[] parts = status.split(" ", 3);
        if (parts.length < 2 || !parts[0].startsWith("HTTP/1.") || !isStatusCode(parts[1])) {
            throw new IOException("not an HTTP answer");
        }
        int code = Integer.parseInt(parts[1]);
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        int lines = 0; // every line counts: one name repeated endlessly is as many headers
        for (String line = line(in); !line.isEmpty(); line = line(in)) {
            int colon = line.indexOf(':');
            if (colon <= 0 || ++lines > MAX_HEADERS) {
                throw new IOException("a malformed HTTP header");
            }
            headers.computeIfAbsent(line.substring(0, colon).trim(), k -> new ArrayList<>())
                    .add(line.substring(colon + 1).trim());
        }
        HttpHeaders all = HttpHeaders.of(headers, (name, value) -> true);
        boolean framed = true;
        byte[] body;
        if (code / 100 == 1 || code == 204 || code == 304 || request.method().equals("HEAD")) {
            body = new byte[0];
        } else if (all.firstValue("Transfer-Encoding").map(v -> v.toLowerCase(Locale.ROOT).contains("chunked"))
                .orElse(false)) {
            body = chunked(in);
        } else if (all.firstValue("Content-Length").isPresent()) {
            body = exactly(in, contentLength(all.allValues("Content-Length")));
        } else {
            framed = false; // the body ends where the connection does
            body = in.readNBytes(Transport.MAX_BODY + 1);
            if (body.length > Transport.MAX_BODY) {
                throw new IOException("an HTTP answer of unacceptable length");
            }
        }
        boolean closes = all.allValues("Connection").stream()
                .anyMatch(v -> v.toLowerCase(Locale.ROOT).contains("close"));
        boolean reusable = framed && !closes && parts[0].equals("HTTP/1.1");
        return new Exchange(new Transport.Answer(code, all, new String(body, StandardCharsets.UTF_8), request),
                reusable);
    }

    /**
     * The body's length: one value (repeated the same is one), digits only, within {@link Transport#MAX_BODY};
     * anything else is the server's error, an {@link IOException} as every other malformed answer.
     */
    private static int contentLength(List<String> values) throws IOException {
        String value = values.get(0);
        boolean digits = !value.isEmpty() && value.length() <= 10 && value.chars().allMatch(c -> c >= '0' && c <= '9');
        if (!digits || values.stream().anyMatch(v -> !v.equals(value)) || Long.parseLong(value) > Transport.MAX_BODY) {
            throw new IOException("an HTTP answer of unacceptable length");
        }
        return Integer.parseInt(value);
    }

    private static boolean isStatusCode(String s) {
        return s.length() == 3 && s.chars().allMatch(c -> c >= '0' && c <= '9');
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
            if (length < 0 || body.size() + (long) length > Transport.MAX_BODY) {
                throw new IOException("an HTTP answer of unacceptable length");
            }
            if (length == 0) {
                int trailers = 0;
                while (!line(in).isEmpty()) {
                    if (++trailers > MAX_HEADERS) { // trailers: none that matter here, and not endlessly
                        throw new IOException("a malformed HTTP header");
                    }
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
