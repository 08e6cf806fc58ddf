package org.osms.client;

import java.net.URI;
import java.util.Locale;

/**
 * A SOCKS5 proxy that resolves host names itself ({@code socks5h://HOST:PORT}): Tor's SOCKS port, of the system tor
 * (9050) or of the Tor Browser (9150). Only the {@code h} form is accepted, because a client that resolves the
 * server's name locally tells its DNS resolver which service it is about to use, and cannot resolve an onion address
 * at all.
 */
public record SocksProxy(String host, int port) {
    public SocksProxy {
        if (host == null || host.isEmpty() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("a SOCKS proxy needs a host and a port from 1 to 65535");
        }
    }

    /** Parses {@code socks5h://HOST:PORT}; anything else is refused with a message that says what is expected. */
    public static SocksProxy parse(String uri) {
        URI parsed;
        try {
            parsed = URI.create(uri.trim());
        } catch (IllegalArgumentException e) {
            throw refused(uri);
        }
        String scheme = parsed.getScheme() == null ? "" : parsed.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("socks5") || scheme.equals("socks")) {
            throw new OsmsException(0, "bad_proxy", "Proxy " + uri + " would resolve host names locally: use "
                    + "socks5h://" + (parsed.getRawAuthority() == null ? "HOST:PORT" : parsed.getRawAuthority())
                    + " so that the proxy resolves them.");
        }
        boolean bare = parsed.getRawPath() == null || parsed.getRawPath().isEmpty() || parsed.getRawPath().equals("/");
        if (!scheme.equals("socks5h") || parsed.getHost() == null || parsed.getPort() < 1 || parsed.getPort() > 65535
                || parsed.getRawUserInfo() != null || parsed.getRawQuery() != null || !bare) {
            throw refused(uri);
        }
        String host = parsed.getHost();
        return new SocksProxy(host.startsWith("[") ? host.substring(1, host.length() - 1) : host, parsed.getPort());
    }

    private static OsmsException refused(String uri) {
        return new OsmsException(0, "bad_proxy", "Proxy " + uri + " is not of the form socks5h://HOST:PORT "
                + "(Tor: socks5h://127.0.0.1:9050, Tor Browser: socks5h://127.0.0.1:9150).");
    }

    @Override
    public String toString() {
        return "socks5h://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
