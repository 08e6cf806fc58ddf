package org.osms.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osms.it.Http;
import org.osms.it.LibertyServer;

/**
 * OSMS listens on loopback only. A real Liberty server of the build's runtime, with the shipped configuration, is
 * started the way an operator would (server run) and asked to listen elsewhere: it must stop without ever answering
 * on the machine's other address, and say why in its log. Runs in its own failsafe execution: it uses its own server
 * and port (it.loopback.port), not the shared test servers.
 */
class LoopbackIT {
    private static final int PORT = Integer.getInteger("osms.it.loopbackPort", 9183);
    private static final int ADMIN_PORT = Integer.getInteger("osms.it.loopbackAdminPort", 9186);
    private static final Duration START_TIMEOUT = Duration.ofMinutes(15);
    private static final String REFUSAL = "OSMS refuses to start and stops the server";
    private static final String PORT_OPENED = "CWWKO0219I";

    private final LibertyServer server = new LibertyServer("osms-it-loopback");
    private final Optional<InetAddress> otherAddress = nonLoopbackAddress();
    private Process running;

    @AfterEach
    void stopWhatIsLeft() throws Exception {
        if (running != null && running.isAlive()) {
            server.command("stop");
            running.waitFor(60, TimeUnit.SECONDS);
            running.descendants().forEach(ProcessHandle::destroyForcibly);
            running.destroyForcibly();
        }
    }

    @Test
    void httpHostFromTheEnvironmentDoesNotMoveTheServerOffLoopback() throws Exception {
        server.createFromShippedConfiguration(bootstrap());
        Probe probe = startAndProbeUntilItEnds(Map.of("HTTP_HOST", "0.0.0.0"));

        assertRefused(probe, "HTTP_HOST is set to '0.0.0.0', but OSMS listens on 127.0.0.1 only");
    }

    @Test
    void anEndpointHostEditedIntoServerXmlStopsTheServer() throws Exception {
        server.createFromShippedConfiguration(bootstrap());
        Path serverXml = server.directory().resolve("server.xml");
        String shipped = Files.readString(serverXml);
        assertTrue(shipped.contains("host=\"127.0.0.1\""), "the shipped server.xml names its loopback host");
        Files.writeString(serverXml, shipped.replace("host=\"127.0.0.1\"", "host=\"0.0.0.0\""));
        Probe probe = startAndProbeUntilItEnds(Map.of());

        assertRefused(probe, "an httpEndpoint in the server configuration has host=\"0.0.0.0\"");
    }

    /**
     * A configuration drop-in (configDropins/overrides, as Liberty's container images ship one opening every
     * interface) that moves an endpoint off loopback is read too: Liberty merges it over server.xml.
     */
    @Test
    void anEndpointHostInAConfigurationDropInStopsTheServer() throws Exception {
        server.createFromShippedConfiguration(bootstrap());
        Path overrides = server.directory().resolve("configDropins/overrides");
        Files.createDirectories(overrides);
        Files.writeString(overrides.resolve("open-default-port.xml"),
                "<server><httpEndpoint id=\"defaultHttpEndpoint\" host=\"*\"/></server>\n");
        Probe probe = startAndProbeUntilItEnds(Map.of());

        assertRefused(probe, "an httpEndpoint in the server configuration has host=\"*\"");
    }

    /**
     * Liberty also includes configuration from a URL, and the include the test servers use is named by a variable
     * the environment can set (OSMS_EXTRA_CONFIG). Such an include is not among the configuration files the server
     * reports, so the guard also reads the endpoints as Liberty configured them: the server refuses to start.
     * Before, it started and listened on every interface.
     */
    @Test
    void anIncludeFromAUrlStopsTheServer() throws Exception {
        server.createFromShippedConfiguration(bootstrap());
        com.sun.net.httpserver.HttpServer include = com.sun.net.httpserver.HttpServer.create(
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        byte[] opening = "<server><httpEndpoint id=\"defaultHttpEndpoint\" host=\"*\"/></server>\n"
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        include.createContext("/open.xml", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/xml");
            exchange.sendResponseHeaders(200, opening.length);
            exchange.getResponseBody().write(opening);
            exchange.close();
        });
        include.start();
        try {
            String url = "http://127.0.0.1:" + include.getAddress().getPort() + "/open.xml";
            Probe probe = startAndProbeUntilItEnds(Map.of("OSMS_EXTRA_CONFIG", url));

            assertRefused(probe, "an httpEndpoint in the server configuration has host=\"*\"");
        } finally {
            include.stop(0);
        }
    }

    /** An include of any name is read as configuration, whatever its name: the guard reads it too. */
    @Test
    void anIncludeWhoseNameIsNotXmlIsReadToo() throws Exception {
        server.createFromShippedConfiguration(bootstrap());
        Path include = server.directory().resolve("open.conf").toAbsolutePath();
        Files.writeString(include, "<server><httpEndpoint id=\"defaultHttpEndpoint\" host=\"0.0.0.0\"/></server>\n");
        Probe probe = startAndProbeUntilItEnds(Map.of("OSMS_EXTRA_CONFIG", include.toString()));

        assertRefused(probe, "an httpEndpoint in the server configuration has host=\"0.0.0.0\"");
    }

    /**
     * The guard reads the configuration as the server starts; an edit while it runs (a drop-in opening every
     * interface) is not applied until the next start, where the guard reads it.
     */
    @Test
    void aDropInWrittenWhileTheServerRunsIsNotApplied() throws Exception {
        Http loopback = startShipped("loopback-running-edit");
        Path overrides = server.directory().resolve("configDropins/overrides");
        Files.createDirectories(overrides);
        Files.writeString(overrides.resolve("open-default-port.xml"),
                "<server><httpEndpoint id=\"defaultHttpEndpoint\" host=\"*\"/></server>\n");
        Thread.sleep(5_000); // Liberty's configuration monitor would have looked ten times (every 500 ms)

        assertEquals(200, loopback.get("/pk").status());
        if (otherAddress.isPresent()) {
            assertFalse(answers(otherAddress.get()), "the server must not answer on " + otherAddress.get());
        }
        assertFalse(server.log().contains("CWWKG0017I"), "the configuration was not updated:\n" + server.log());
        server.command("stop");
        assertTrue(running.waitFor(120, TimeUnit.SECONDS), "the server stopped");
    }

    @Test
    void theShippedConfigurationAnswersOnLoopbackAndNowhereElse() throws Exception {
        Http loopback = startShipped("loopback-control");

        assertEquals(200, loopback.get("/pk").status());
        if (otherAddress.isPresent()) {
            assertFalse(answers(otherAddress.get()), "the server must not answer on " + otherAddress.get());
        }
        assertFalse(server.log().contains(REFUSAL), "a loopback configuration starts normally");
        server.command("stop");
        assertTrue(running.waitFor(120, TimeUnit.SECONDS), "the server stopped");
    }

    /** Starts the server with the shipped configuration, logging to target/LOG.log; its loopback port, ready. */
    private Http startShipped(String log) throws Exception {
        server.createFromShippedConfiguration(bootstrap());
        running = server.runInForeground(Map.of(), Path.of("target/" + log + ".log"));
        Http loopback = new Http("http://127.0.0.1:" + PORT);
        LibertyServer.awaitReady(loopback, START_TIMEOUT);
        return loopback;
    }

    private Map<String, String> bootstrap() {
        return Map.of("http.port", String.valueOf(PORT), "osms.admin.port", String.valueOf(ADMIN_PORT),
                "osms.data.dir", Path.of("target/it-data/loopback").toAbsolutePath().toString());
    }

    /** Starts the server and tries, until its process ends, to reach it on loopback and on the other address. */
    private Probe startAndProbeUntilItEnds(Map<String, String> environment) throws Exception {
        running = server.runInForeground(environment, Path.of("target/loopback-refused.log"));
        Probe probe = new Probe();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (running.isAlive() && Instant.now().isBefore(deadline)) {
            probe.attempts++;
            if (otherAddress.isPresent() && answers(otherAddress.get())) {
                probe.answeredElsewhere = true;
            }
            if (answers(InetAddress.getLoopbackAddress())) {
                probe.answeredOnLoopback = true;
            }
            Thread.sleep(50);
        }
        probe.ended = !running.isAlive();
        probe.exitCode = probe.ended ? running.exitValue() : -1;
        return probe;
    }

    private void assertRefused(Probe probe, String reason) {
        String log = server.log();
        assertTrue(probe.ended, "the server stops by itself within " + START_TIMEOUT + "; log:\n" + log);
        assertTrue(log.contains(REFUSAL) && log.contains(reason), "the log says why: " + reason + "; log:\n" + log);
        assertEquals(78, probe.exitCode, "the server exits with the refusal's status");
        assertFalse(log.contains(PORT_OPENED), "the server never opened its port; log:\n" + log);
        assertFalse(probe.answeredOnLoopback, "a refused server answers nowhere");
        if (otherAddress.isPresent()) {
            assertFalse(probe.answeredElsewhere, "the server answered on " + otherAddress.get());
            assertTrue(probe.attempts > 10, "the other address was probed while the server ran");
        } else {
            System.out.println("LoopbackIT: this machine has no non-loopback address to probe; checked only that"
                    + " the server refused to start, said why and never opened its port.");
        }
    }

    private static boolean answers(InetAddress address) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(address, PORT), 200);
            return true;
        } catch (IOException refused) {
            return false;
        }
    }

    /** An address of this machine other than loopback (IPv4 preferred), if it has one that is up. */
    private static Optional<InetAddress> nonLoopbackAddress() {
        try {
            Optional<InetAddress> v6 = Optional.empty();
            for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nic.isUp() || nic.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress()) {
                        continue;
                    }
                    if (a instanceof Inet4Address) {
                        return Optional.of(a);
                    }
                    v6 = Optional.of(a);
                }
            }
            return v6;
        } catch (SocketException e) {
            return Optional.empty();
        }
    }

    private static final class Probe {
        int attempts;
        boolean answeredElsewhere;
        boolean answeredOnLoopback;
        boolean ended;
        int exitCode;
    }
}
