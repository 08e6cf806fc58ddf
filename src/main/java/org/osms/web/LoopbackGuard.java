package org.osms.web;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.io.File;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilderFactory;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * OSMS listens on loopback only: tor, on the same machine, is the only way in (README, "Configuration"). This guard
 * runs first when the application starts, before the database is opened, and stops the whole server if the
 * configuration would make it listen anywhere else: an {@code httpEndpoint} whose {@code host} is not a loopback
 * address written literally (127.0.0.0/8, ::1 or localhost; a variable such as {@code ${http.host}} is refused because
 * the environment could set it), or an {@code HTTP_HOST} environment variable naming another address (it no longer
 * moves the endpoint, and an operator who sets it expects it to).
 *
 * <p>It reads both the configuration files the server reports (server.xml, its includes, configDropins) and the
 * endpoints as Liberty configured them (its endpoint MBeans), since a configuration included from a URL is not among
 * the files.
 *
 * <p>Failing the application alone would not do: Liberty would go on and open its port for the other applications.
 * Liberty opens its ports only once the applications have started ({@code applicationManager startTimeout} in
 * {@code server.xml}), so stopping the JVM from here means the refused address never answers.
 */
public class LoopbackGuard implements ServletContainerInitializer {
    private static final Logger LOG = Logger.getLogger(LoopbackGuard.class.getName());
    private static final String CONFIG_MBEAN =
            "WebSphere:name=com.ibm.websphere.config.mbeans.ServerXMLConfigurationMBean";
    private static final String SERVER_INFO_MBEAN = "WebSphere:feature=kernel,name=ServerInfo";
    static final String ENDPOINT_MBEANS = "WebSphere:feature=channelfw,type=endpoint,*";
    private static final String OWN_ENDPOINT_MBEAN =
            "WebSphere:feature=channelfw,type=endpoint,name=defaultHttpEndpoint";
    private static final long ENDPOINT_WAIT_SECONDS = 60;
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** The exit status of a server that refused to start. */
    static final int REFUSED = 78;
    private static final long FORCED_STOP_SECONDS = 30;

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        List<String> hosts = configuredHosts();
        hosts.addAll(endpointHosts());
        Optional<String> refusal = refusal(System.getenv("HTTP_HOST"), hosts);
        if (refusal.isPresent()) {
            stopServer(refusal.get());
        }
    }

    /**
     * Why the server must not start, if it must not. {@code configuredHosts} holds one entry per {@code httpEndpoint}
     * (null where it has no host attribute: Liberty's default is localhost).
     */
    static Optional<String> refusal(String environmentHost, List<String> configuredHosts) {
        if (environmentHost != null && !environmentHost.isBlank() && !isLoopback(environmentHost.trim())) {
            return Optional.of("HTTP_HOST is set to '" + environmentHost.trim() + "', but OSMS listens on 127.0.0.1"
                    + " only (tor forwards to it; README, \"Configuration\"): unset HTTP_HOST.");
        }
        for (String host : configuredHosts) {
            if (host != null && !isLoopback(host.trim())) {
                return Optional.of("an httpEndpoint in the server configuration has host=\"" + host + "\", but OSMS"
                        + " listens on loopback only (tor forwards to it; README, \"Configuration\"): write"
                        + " host=\"127.0.0.1\" literally.");
            }
        }
        return Optional.empty();
    }

    /** A loopback address written literally; names other than localhost are refused rather than resolved. */
    static boolean isLoopback(String host) {
        if (host.equalsIgnoreCase("localhost")) {
            return true;
        }
        String literal = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        if (!IPV4.matcher(literal).matches() && !(literal.contains(":") && literal.matches("[0-9A-Fa-f:.]+"))) {
            return false;
        }
        try {
            // a literal address: no name lookup happens
            return InetAddress.getByName(literal).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /**
     * The host attribute of every httpEndpoint in every configuration file the server loaded (server.xml, its
     * includes, configDropins), as Liberty reports them.
     */
    private static List<String> configuredHosts() {
        List<String> hosts = new ArrayList<>();
        for (String path : configurationFiles()) {
            if (!path.startsWith("(") && !path.endsWith("/server.xml") && !new File(path).exists()) {
                continue; // an optional include that is absent holds no endpoint
            }
            try {
                DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
                f.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
                f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
                NodeList endpoints = f.newDocumentBuilder().parse(new File(path)).getElementsByTagName("httpEndpoint");
                for (int i = 0; i < endpoints.getLength(); i++) {
                    Element e = (Element) endpoints.item(i);
                    hosts.add(e.hasAttribute("host") ? e.getAttribute("host") : null);
                }
            } catch (Exception e) {
                // a file the guard cannot read could hold an endpoint on any address
                hosts.add("(unreadable configuration file " + path + ": " + e.getMessage() + ")");
            }
        }
        return hosts;
    }

    /**
     * The host of every HTTP endpoint as Liberty configured it, whatever file or location it came from (a
     * configuration included from a URL is not among the files the server reports): Liberty's endpoint MBeans,
     * {@value #ENDPOINT_MBEANS}. Liberty registers them before it starts the applications; should OSMS's own endpoint
     * not be registered within {@value #ENDPOINT_WAIT_SECONDS} seconds, the guard cannot tell where it will listen,
     * and refuses.
     */
    private static List<String> endpointHosts() {
        List<String> hosts = new ArrayList<>();
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            ObjectName own = new ObjectName(OWN_ENDPOINT_MBEAN);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ENDPOINT_WAIT_SECONDS);
            while (!server.isRegistered(own)) {
                if (System.nanoTime() > deadline) {
                    hosts.add("(the endpoints' configuration unavailable: " + OWN_ENDPOINT_MBEAN + " not registered)");
                    return hosts;
                }
                Thread.sleep(100);
            }
            for (ObjectName endpoint : server.queryNames(new ObjectName(ENDPOINT_MBEANS), null)) {
                Object host = server.getAttribute(endpoint, "Host");
                hosts.add(host == null ? null : String.valueOf(host));
            }
        } catch (JMException | RuntimeException e) {
            hosts.add("(the endpoints' configuration unavailable: " + e + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            hosts.add("(the endpoints' configuration unavailable: interrupted)");
        }
        return hosts;
    }

    private static Collection<String> configurationFiles() {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try {
            Object paths = server.invoke(new ObjectName(CONFIG_MBEAN), "fetchConfigurationFilePaths",
                    new Object[0], new String[0]);
            // Liberty reports the paths as written, with its location variables: resolve those
            ObjectName info = new ObjectName(SERVER_INFO_MBEAN);
            String userDir = String.valueOf(server.getAttribute(info, "UserDirectory"));
            String installDir = String.valueOf(server.getAttribute(info, "InstallDirectory"));
            String name = String.valueOf(server.getAttribute(info, "Name"));
            List<String> files = new ArrayList<>();
            for (Object p : (Collection<?>) paths) {
                String path = String.valueOf(p)
                        .replace("${server.config.dir}", new File(userDir, "servers/" + name).getPath())
                        .replace("${shared.config.dir}", new File(userDir, "shared/config").getPath())
                        .replace("${wlp.user.dir}", userDir)
                        .replace("${wlp.install.dir}", installDir)
                        // a path under the JVM's temporary directory (a checkout in /tmp, say) is reported as ${tmp}
                        .replace("${tmp}", new File(System.getProperty("java.io.tmpdir")).getPath());
                if (path.contains("${")) {
                    throw new IllegalStateException("cannot resolve the configuration file " + path);
                }
                if (path.toLowerCase(Locale.ROOT).endsWith(".xml")) {
                    files.add(path);
                }
            }
            if (files.isEmpty()) {
                throw new IllegalStateException("the server reported no configuration files");
            }
            return files;
        } catch (JMException | RuntimeException e) {
            // Without the list the guard cannot prove the endpoint is on loopback: refuse rather than trust.
            return List.of("(server configuration unavailable: " + e + ")");
        }
    }

    /**
     * Logs why, then ends the JVM: an orderly exit first (Liberty's shutdown hook stops the server and closes the
     * embedded database), forced after {@value #FORCED_STOP_SECONDS} seconds. This thread, the application's start,
     * never returns, so Liberty never reaches the point where it opens its ports.
     */
    private static void stopServer(String why) {
        LOG.log(Level.SEVERE, "OSMS refuses to start and stops the server: {0}", why);
        Thread exit = new Thread(() -> System.exit(REFUSED), "osms-loopback-guard-exit");
        exit.setDaemon(true);
        exit.start();
        try {
            exit.join(TimeUnit.SECONDS.toMillis(FORCED_STOP_SECONDS));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Runtime.getRuntime().halt(REFUSED);
    }
}
