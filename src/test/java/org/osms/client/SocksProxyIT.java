package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osms.it.Http;
import org.osms.it.OsmsCommand;
import org.osms.it.RecordingSocksServer;
import org.osms.it.RecordingSocksServer.Connect;
import org.osms.protocol.AuditRecord;

/**
 * The client through a SOCKS5 proxy (--proxy socks5h://…, OSMS_PROXY): it hands the proxy the server's host name and
 * never resolves it itself. The names used here (.invalid, an onion address) exist nowhere but in the test proxy's
 * routes, which lead to the test server: a command that works through them was resolved by the proxy.
 */
class SocksProxyIT {
    /** A well-formed v3 onion address that no Tor network knows; only the test proxy routes it. */
    private static final String ONION = "osmstest" + "a".repeat(47) + "d.onion";
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private final Http http = Http.fromSystemProperty();
    private RecordingSocksServer proxy;

    @TempDir
    Path dir;

    @BeforeEach
    void startProxy() throws Exception {
        InetSocketAddress server = new InetSocketAddress("127.0.0.1", serverPort());
        // a name with another port than 80: the server's own, since OSMS answers requests whose Host names port 80
        // (what tor's clients name) or its own port (README, "Operator's console")
        proxy = new RecordingSocksServer(Map.of("osms.invalid:80", server, "osms.invalid:" + serverPort(), server,
                ONION + ":80", server));
    }

    private int serverPort() {
        return URI.create(http.base()).getPort();
    }

    @AfterEach
    void stopProxy() throws Exception {
        proxy.close();
    }

    private OsmsCommand osms(List<String> options, Map<String, String> environment) throws Exception {
        Files.createDirectories(dir.resolve("home"));
        return new OsmsCommand(dir.resolve("home"), options, environment, TIMEOUT);
    }

    private static Connect byName(String host, int port) {
        return new Connect(3, host, port);
    }

    @Test
    void commandsWorkThroughTheProxyWhichAloneResolvesTheServersName() throws Exception {
        OsmsCommand osms = osms(List.of("--server", "http://osms.invalid", "--proxy", proxy.uri()), Map.of());
        String name = "socks" + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
        assertEquals(0, osms.run("keygen").exit());
        assertEquals(List.of(), proxy.connects(), "keygen talks to nobody");

        OsmsCommand.Run registered = osms.run("register", name);
        assertEquals(0, registered.exit(), registered.err());
        assertTrue(registered.out().contains(name + "  active"), registered.out());
        OsmsCommand.Run whoami = osms.run("whoami");
        assertEquals(0, whoami.exit(), whoami.err());
        assertTrue(whoami.out().startsWith(name + "  active  "), whoami.out());
        OsmsCommand.Run lookup = osms.run("lookup", name);
        assertEquals(0, lookup.exit(), lookup.err());
        assertEquals(whoami.out(), lookup.out(), "the directory shows the identity registered through the proxy");
        OsmsCommand.Run audit = osms.run("audit");
        assertEquals(0, audit.exit(), audit.err());

        List<Connect> asked = proxy.connects();
        // Each of the four commands is a process of its own with its own connections: at least one stream each. (A
        // command's requests share a stream while it is fresh: SocksKeptConnectionsTest.)
        assertTrue(asked.size() >= 4, "every command went through the proxy: " + asked);
        assertEquals(List.of(byName("osms.invalid", 80)), asked.stream().distinct().toList(),
                "the proxy was only ever asked for the name, as a name (address type 3)");
    }

    @Test
    void osmsProxyInTheEnvironmentReachesAnOnionAddress() throws Exception {
        OsmsCommand osms = osms(List.of("--server", "http://" + ONION), Map.of("OSMS_PROXY", proxy.uri()));
        assertEquals(0, osms.run("keygen").exit());
        OsmsCommand.Run registered = osms.run("register", "onion" + UUID.randomUUID().toString().substring(0, 8)
                .replace("-", ""));
        assertEquals(0, registered.exit(), registered.err());
        assertTrue(registered.out().contains("first contact with http://" + ONION), registered.out());
        assertEquals(List.of(byName(ONION, 80)), proxy.connects().stream().distinct().toList());
    }

    @Test
    void anOnionAddressWithoutAProxyIsRefusedWithAClearMessage() throws Exception {
        OsmsCommand osms = osms(List.of("--server", "http://" + ONION), Map.of());
        assertEquals(0, osms.run("keygen").exit());
        for (String[] command : List.of(new String[] {"lookup", "bob"}, new String[] {"register", "bob"})) {
            OsmsCommand.Run refused = osms.run(command);
            assertEquals(1, refused.exit());
            assertEquals(1, refused.err().lines().count(), refused.err());
            assertTrue(refused.err().startsWith("osms: http://" + ONION + "/ is an onion address: reach it through "
                    + "Tor's SOCKS port with --proxy socks5h://127.0.0.1:9050"), refused.err());
            assertTrue(refused.err().endsWith("(proxy_required)\n"), refused.err());
        }
        assertFalse(Files.exists(dir.resolve("home/known_servers")), "no server was contacted, none pinned");
        assertThrows(OsmsException.class, () -> new OsmsClient(URI.create("http://" + ONION.toUpperCase())),
                "the library refuses too, whatever the case of the name");
    }

    @Test
    void aProxyThatWouldResolveLocallyOrIsNotSocksIsRefused() throws Exception {
        String local = "socks5://127.0.0.1:9050";
        OsmsCommand.Run socks5 = osms(List.of("--server", "http://osms.invalid", "--proxy", local), Map.of())
                .run("lookup", "bob");
        assertEquals(1, socks5.exit());
        assertEquals("osms: Proxy " + local + " would resolve host names locally: use socks5h://127.0.0.1:9050 so "
                + "that the proxy resolves them. (bad_proxy)\n", socks5.err());
        for (String bad : List.of("http://127.0.0.1:8080", "socks5h://127.0.0.1", "socks5h://u:p@127.0.0.1:9050",
                "127.0.0.1:9050")) {
            OsmsCommand.Run refused = osms(List.of("--server", "http://osms.invalid"), Map.of("OSMS_PROXY", bad))
                    .run("lookup", "bob");
            assertEquals(1, refused.exit(), bad);
            assertTrue(refused.err().startsWith("osms: Proxy " + bad + " is not of the form socks5h://HOST:PORT"),
                    refused.err());
        }
        assertEquals(List.of(), proxy.connects(), "nothing was sent anywhere");
    }

    @Test
    void aNameTheProxyCannotReachIsOneLineNamingTheReason() throws Exception {
        OsmsCommand.Run run = osms(List.of("--server", "http://nowhere.invalid", "--proxy", proxy.uri()), Map.of())
                .run("lookup", "bob");
        assertEquals(1, run.exit());
        assertEquals(1, run.err().lines().count(), run.err());
        assertTrue(run.err().contains("the proxy could not connect to nowhere.invalid:80: host unreachable"),
                run.err());
        assertEquals(List.of(byName("nowhere.invalid", 80)), proxy.connects());
    }

    @Test
    void theLibraryThroughTheProxyReadsWhatItReadsDirectly() {
        OsmsClient direct = new OsmsClient(URI.create(http.base()));
        OsmsClient proxied = new OsmsClient(URI.create("http://osms.invalid:" + serverPort()),
                Optional.of(SocksProxy.parse(proxy.uri())));
        assertEquals(direct.serverKey(), proxied.serverKey());
        List<AuditRecord> log = proxied.verifiedAuditLog();
        List<AuditRecord> again = direct.verifiedAuditLog();
        assertEquals(again.subList(0, log.size()).stream().map(r -> List.of(r.seq(), java.util.HexFormat.of()
                .formatHex(r.hash()))).toList(), log.stream().map(r -> List.of(r.seq(), java.util.HexFormat.of()
                .formatHex(r.hash()))).toList(), "the same verified chain, byte for byte");
        OsmsException missing = assertThrows(OsmsException.class, () -> proxied.user("nobody" + UUID.randomUUID()
                .toString().substring(0, 8).replace("-", "")));
        assertEquals(404, missing.status(), "the server's refusals come through as they are");
        assertEquals(List.of(byName("osms.invalid", serverPort())), proxy.connects().stream().distinct().toList());
    }
}
