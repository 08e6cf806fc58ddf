package org.osms.client;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * HTTP/1.1 through a SOCKS5 proxy (RFC 1928), on persistent connections ({@link KeptConnections}): through Tor each
 * new connection is a new stream to the onion service, a round trip across six relays before the request can leave, so
 * a login's requests share one. java.net.http.HttpClient cannot use a SOCKS proxy, and java.net's SOCKS support may
 * resolve names itself; this transport always hands the proxy the server's host name (address type 3, "domain name"),
 * so the name is resolved by the proxy (for Tor: inside the Tor network) and never by the local resolver.
 *
 * <p>Keeping a stream open tells the onion service nothing new: tor carries all of this client's streams to it on one
 * circuit, and the login's session header links its requests anyway.
 */
final class SocksTransport implements Transport {
    /**
     * How long an idle connection is still used: half of the 10 s the onion service's front (haproxy,
     * {@code timeout http-request}) keeps an idle client connection, leaving time for a request to cross the Tor
     * network before the front closes it.
     */
    static final Duration REUSE_WITHIN = Duration.ofSeconds(5);

    private final SocksProxy proxy;
    private final KeptConnections connections = new KeptConnections(this::dial, REUSE_WITHIN);

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
        try {
            return connections.send(request);
        } catch (IOException e) {
            throw new IOException("through proxy " + proxy + ": " + e.getMessage(), e);
        }
    }

    /** A stream through the proxy to {@code host}:{@code port}, with TLS over it for https. */
    private Socket dial(String host, int port, boolean tls, int timeoutMillis) throws IOException {
        // The proxy's own address is the one name resolved here: it is the user's (normally 127.0.0.1).
        Socket socket = KeptConnections.tcp(proxy.host(), proxy.port());
        try {
            socket.setSoTimeout(timeoutMillis); // tor answers the CONNECT once the onion service is reached
            connect(socket, host, port);
            return tls ? tls(socket, host, port) : socket;
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
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
}
