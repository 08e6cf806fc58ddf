package org.osms.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/** The shipped configuration of the operator's console (README, "Operator's console"), read as Liberty reads it. */
class ConsoleConfigurationTest {
    private static final Path SERVER_XML = Path.of("liberty/config/server.xml");

    @Test
    void bothEndpointsAreOnLoopbackAndTheAdminOneIsHttpsOnly() throws Exception {
        Map<String, Element> endpoints = elementsById("httpEndpoint");
        assertEquals(List.of("adminHttpEndpoint", "defaultHttpEndpoint"), endpoints.keySet().stream().sorted().toList());
        List<String> hosts = new ArrayList<>();
        endpoints.values().forEach(e -> hosts.add(e.getAttribute("host")));
        assertEquals(List.of("127.0.0.1", "127.0.0.1"), hosts);
        assertEquals(java.util.Optional.empty(), LoopbackGuard.refusal(null, hosts));
        Element admin = endpoints.get("adminHttpEndpoint");
        assertEquals("-1", admin.getAttribute("httpPort"), "no cleartext on the admin endpoint");
        assertEquals("${osms.admin.port}", admin.getAttribute("httpsPort"));
        assertEquals("-1", endpoints.get("defaultHttpEndpoint").getAttribute("httpsPort"));
    }

    @Test
    void theGuardRefusesAnAdminEndpointMovedOffLoopback() {
        assertTrue(LoopbackGuard.refusal(null, List.of("127.0.0.1", "0.0.0.0")).isPresent());
        assertTrue(LoopbackGuard.refusal(null, List.of("0.0.0.0", "127.0.0.1")).isPresent());
    }

    @Test
    void libertysApplicationsAreReachedFromTheAdminEndpointOnlyAndOsmsFromThePublicOne() throws Exception {
        Map<String, Element> hosts = elementsById("virtualHost");
        assertEquals("adminHttpEndpoint", hosts.get("default_host").getAttribute("allowFromEndpointRef"));
        assertEquals("defaultHttpEndpoint", hosts.get("osms_host").getAttribute("allowFromEndpointRef"));
        String binding = Files.readString(Path.of("src/main/webapp/WEB-INF/ibm-web-bnd.xml"));
        assertTrue(binding.contains("<virtual-host name=\"osms_host\"/>"), binding);
    }

    @Test
    void noAdministratorPasswordIsWrittenInTheConfiguration() throws Exception {
        Map<String, Element> variables = new HashMap<>();
        NodeList list = document().getElementsByTagName("variable");
        for (int i = 0; i < list.getLength(); i++) {
            Element v = (Element) list.item(i);
            variables.put(v.getAttribute("name"), v);
        }
        // empty defaults: an unset variable must never become a password Liberty would accept
        assertEquals("", variables.get("osms.admin.user").getAttribute("defaultValue"));
        assertEquals("", variables.get("osms.admin.password").getAttribute("defaultValue"));
        assertFalse(variables.get("osms.admin.password").hasAttribute("value"));
        Element quickStart = (Element) document().getElementsByTagName("quickStartSecurity").item(0);
        assertEquals("${osms.admin.user}", quickStart.getAttribute("userName"));
        assertEquals("${osms.admin.password}", quickStart.getAttribute("userPassword"));
        Element keyStore = elementsById("keyStore").get("defaultKeyStore");
        assertFalse(keyStore.hasAttribute("password"), "the keystore password lives in the server's server.env");
    }

    @Test
    void torPublishesThePublicPortOnly() throws Exception {
        // tor maps the onion's port 80 to the front only, and the front forwards to OSMS's public port only
        List<String> ports = Files.readAllLines(Path.of("liberty/tor/torrc.template")).stream()
                .filter(l -> l.startsWith("HiddenServicePort")).toList();
        assertEquals(List.of("HiddenServicePort 80 127.0.0.1:@FRONT_PORT@"), ports);
        List<String> servers = Files.readAllLines(Path.of("liberty/front/haproxy.cfg.template")).stream()
                .map(String::trim).filter(l -> l.startsWith("server ")).toList();
        assertEquals(List.of("server osms 127.0.0.1:@HTTP_PORT@"), servers);
    }

    @Test
    void theConsoleIsOnOnlyWithBothVariablesSetAndAPasswordOfSixteenCharacters() {
        String sixteen = "p".repeat(16);
        assertTrue(AdminConsole.enabled(Map.of("OSMS_ADMIN_USER", "op", "OSMS_ADMIN_PASSWORD", sixteen)));
        assertFalse(AdminConsole.enabled(Map.of()));
        assertFalse(AdminConsole.enabled(Map.of("OSMS_ADMIN_USER", "op")));
        assertFalse(AdminConsole.enabled(Map.of("OSMS_ADMIN_PASSWORD", sixteen)));
        assertFalse(AdminConsole.enabled(Map.of("OSMS_ADMIN_USER", "op", "OSMS_ADMIN_PASSWORD", " ")));
        assertFalse(AdminConsole.enabled(Map.of("OSMS_ADMIN_USER", "", "OSMS_ADMIN_PASSWORD", sixteen)));
        assertEquals("OSMS_ADMIN_PASSWORD has fewer than 16 characters, too easily guessed",
                AdminConsole.whyOff(Map.of("OSMS_ADMIN_USER", "op", "OSMS_ADMIN_PASSWORD", "p".repeat(15))));
        assertEquals("OSMS_ADMIN_PASSWORD has fewer than 16 characters, too easily guessed",
                AdminConsole.whyOff(Map.of("OSMS_ADMIN_USER", "op", "OSMS_ADMIN_PASSWORD", " " + "p".repeat(15) + " ")),
                "blanks around it do not count");
        for (String encoded : List.of("{hash}ATAAAAAIxyz0123456789abcdefQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUE=",
                "{xor}Lz4sLCgwLTs=Lz4sLCgwLTs=", " {aes}ARBjS3FWnYxbX0xsc2mkUhJtRJb2Y0kFWKbcYeIGyd+b")) {
            assertEquals("OSMS_ADMIN_PASSWORD is encoded ({xor}, {aes} or {hash}), so its length cannot be checked;"
                    + " give it plain", AdminConsole.whyOff(Map.of("OSMS_ADMIN_USER", "op", "OSMS_ADMIN_PASSWORD",
                    encoded)), "an encoded password is long whatever the password it stands for: " + encoded);
        }
    }

    /**
     * The console's check reads the administrator Liberty resolved for its registry, and asks Liberty to decode
     * nothing: its decoding logs a value that is not encoded, the plain password, in the clear.
     */
    @Test
    void theConsolesCheckReadsTheValuesTheRegistryReads() throws Exception {
        Element registry = (Element) document().getElementsByTagName("quickStartSecurity").item(0);
        Map<String, Element> entries = new HashMap<>();
        NodeList list = document().getElementsByTagName("jndiEntry");
        for (int i = 0; i < list.getLength(); i++) {
            Element e = (Element) list.item(i);
            entries.put(e.getAttribute("jndiName"), e);
        }
        assertEquals(registry.getAttribute("userName"), entries.get(AdminConsole.USER_JNDI).getAttribute("value"));
        assertEquals(registry.getAttribute("userPassword"),
                entries.get(AdminConsole.PASSWORD_JNDI).getAttribute("value"));
        assertEquals("", entries.get(AdminConsole.PASSWORD_JNDI).getAttribute("decode"));
    }

    private static Map<String, Element> elementsById(String tag) throws Exception {
        Map<String, Element> byId = new HashMap<>();
        NodeList list = document().getElementsByTagName(tag);
        for (int i = 0; i < list.getLength(); i++) {
            Element e = (Element) list.item(i);
            byId.put(e.getAttribute("id"), e);
        }
        return byId;
    }

    private static Document document() throws Exception {
        return DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(SERVER_XML.toFile());
    }
}
