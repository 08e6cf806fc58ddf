package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osms.it.RecordingSocksServer;

/**
 * Every test of {@link DirectTransportTest}, through a SOCKS5 proxy: the SOCKS transport keeps its streams open
 * between requests as the direct one keeps its connections, with the same rules (nothing sent twice that reached the
 * server, nothing sent on a connection the server said it would close), and each connection the server saw is one
 * stream the proxy was asked for.
 */
class SocksKeptConnectionsTest extends DirectTransportTest {
    private RecordingSocksServer proxy;

    SocksKeptConnectionsTest() throws IOException {
        super();
    }

    @Override
    Transport transport() throws IOException {
        if (proxy == null) {
            proxy = new RecordingSocksServer(Map.of("127.0.0.1:" + serverPort(),
                    new InetSocketAddress("127.0.0.1", serverPort())));
        }
        return new SocksTransport(SocksProxy.parse(proxy.uri()));
    }

    @AfterEach
    void oneStreamPerConnection() throws IOException {
        if (proxy != null) {
            List<RecordingSocksServer.Connect> connects = proxy.connects();
            proxy.close();
            assertEquals(connections.get(), connects.size(), "streams through the proxy: " + connects);
            connects.forEach(c -> assertEquals(new RecordingSocksServer.Connect(3, "127.0.0.1", serverPort()), c));
        }
    }

    /**
     * The front of the onion service (liberty/front/haproxy.cfg.template) closes a client connection idle for its
     * {@code timeout http-request} (haproxy's keep-alive timeout when {@code timeout http-keep-alive} is not set): the
     * SOCKS transport stops reusing one at half of that, so a request has the other half to cross the Tor network.
     */
    @Test
    void theReuseWindowIsHalfTheFrontsIdleTimeoutAtMost() throws IOException {
        String config = Files.readString(Path.of("liberty/front/haproxy.cfg.template"));
        assertTrue(!config.contains("timeout http-keep-alive"), "the front sets no keep-alive timeout of its own");
        Matcher m = Pattern.compile("(?m)^\\s*timeout http-request (\\d+)s\\s*$").matcher(config);
        assertTrue(m.find(), "the front's timeout http-request");
        Duration idle = Duration.ofSeconds(Long.parseLong(m.group(1)));
        assertTrue(SocksTransport.REUSE_WITHIN.multipliedBy(2).compareTo(idle) <= 0,
                "reused within " + SocksTransport.REUSE_WITHIN + ", the front closes after " + idle);
    }
}
