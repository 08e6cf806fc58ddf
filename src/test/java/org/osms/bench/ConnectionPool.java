package org.osms.bench;

import com.sun.tools.attach.VirtualMachine;
import java.util.Locale;
import javax.management.MBeanServerConnection;
import javax.management.ObjectName;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;

/**
 * The application's connection pool ({@code jdbc/osms}) as Liberty's connection manager MBean shows it, read by
 * attaching to the server's JVM: how many connections it has and how many are in use. Read while no request runs,
 * every connection in use is one the pool lost (docs/performance.md, "Connections the pool does not get back").
 */
record ConnectionPool(int size, int inUse) {
    private static final String MBEAN =
            "WebSphere:type=com.ibm.ws.jca.cm.mbean.ConnectionManagerMBean,jndiName=jdbc/osms,*";

    /** The pool of the server with this process id, now. */
    static ConnectionPool of(String serverPid) throws Exception {
        VirtualMachine vm = VirtualMachine.attach(serverPid);
        try (JMXConnector c = JMXConnectorFactory.connect(new JMXServiceURL(vm.startLocalManagementAgent()))) {
            MBeanServerConnection server = c.getMBeanServerConnection();
            ObjectName pool = server.queryNames(new ObjectName(MBEAN), null).stream().findFirst()
                    .orElseThrow(() -> new IllegalStateException("no connection manager for jdbc/osms"));
            return parse((String) server.invoke(pool, "showPoolContents", null, null));
        } finally {
            vm.detach();
        }
    }

    /** From {@code showPoolContents}: its {@code size=}, {@code unshared=} and {@code shared=} lines. */
    static ConnectionPool parse(String contents) {
        int size = -1;
        int unshared = -1;
        int shared = -1;
        for (String line : contents.lines().toList()) {
            if (line.startsWith("size=")) {
                size = Integer.parseInt(line.substring(5).trim());
            } else if (line.startsWith("unshared=")) {
                unshared = Integer.parseInt(line.substring(9).trim());
            } else if (line.startsWith("shared=")) {
                shared = Integer.parseInt(line.substring(7).trim());
            }
        }
        if (size < 0 || unshared < 0 || shared < 0) {
            throw new IllegalArgumentException("not a pool's contents: " + contents);
        }
        return new ConnectionPool(size, unshared + shared);
    }

    /** A line under a table: the pool after a load, idle. */
    String idleLine(String after) {
        return String.format(Locale.ROOT, "Connection pool of `jdbc/osms` after %s, no request running: %d in use"
                + " (held by no request: lost) of %d.%n", after, inUse, size);
    }
}
