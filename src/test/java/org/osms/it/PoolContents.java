package org.osms.it;

import java.lang.management.ManagementFactory;
import java.util.Set;
import java.util.TreeSet;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/** The pool of {@code jdbc/osms} as Liberty's connection manager MBean lists it; in-container tests only. */
public final class PoolContents {
    private static final String POOL = "WebSphere:type=com.ibm.ws.jca.cm.mbean.ConnectionManagerMBean,"
            + "jndiName=jdbc/osms,*";

    private PoolContents() {
    }

    /**
     * The managed connections the pool counts in use: the entries listed under {@code unshared=} and
     * {@code shared=} in its MBean's {@code showPoolContents}, before {@code available=}.
     */
    public static Set<String> inUse() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName pool = server.queryNames(new ObjectName(POOL), null).stream().findFirst().orElseThrow();
        Set<String> inUse = new TreeSet<>();
        boolean listing = false;
        for (String line : ((String) server.invoke(pool, "showPoolContents", null, null)).lines().toList()) {
            if (line.startsWith("unshared=") || line.startsWith("shared=")) {
                listing = true;
            } else if (!line.startsWith(" ")) {
                listing = false;
            } else if (listing && line.trim().startsWith("ManagedConnection@")) {
                inUse.add(line.trim().substring(0, line.trim().indexOf('=')));
            }
        }
        return inUse;
    }
}
