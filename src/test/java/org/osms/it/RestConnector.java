package org.osms.it;

import java.io.IOException;
import java.util.HashMap;
import java.util.Map;
import javax.management.MBeanServerConnection;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import javax.net.ssl.SSLContext;

/**
 * A JMX connection to a server through Liberty's REST connector (restConnector-2.0 on the admin endpoint), with
 * Liberty's own client ({@code wlp/clients/restConnector.jar}, on the failsafe class path), as an operator's JMX tool
 * would connect. The TLS context decides which certificate is trusted ({@link AdminEndpoint#trusting}); nothing
 * JVM-wide is changed. Close the returned connector.
 */
public final class RestConnector {
    /** The client's settings (com.ibm.websphere.jmx.connector.rest.ConnectorSettings). */
    private static final String PROVIDER_PACKAGES = "com.ibm.ws.jmx.connector.client";
    private static final String SSL_SOCKET_FACTORY = "com.ibm.ws.jmx.connector.client.CUSTOM_SSLSOCKETFACTORY";

    private RestConnector() {
    }

    public static JMXServiceURL url(int port) throws IOException {
        return new JMXServiceURL("service:jmx:rest://127.0.0.1:" + port + "/IBMJMXConnectorREST");
    }

    public static JMXConnector connect(int port, String user, String password, SSLContext tls) throws IOException {
        Map<String, Object> environment = new HashMap<>();
        environment.put(JMXConnectorFactory.PROTOCOL_PROVIDER_PACKAGES, PROVIDER_PACKAGES);
        environment.put(JMXConnector.CREDENTIALS, new String[] {user, password});
        environment.put(SSL_SOCKET_FACTORY, tls.getSocketFactory());
        return JMXConnectorFactory.connect(url(port), environment);
    }

    /** Connects to the admin endpoint of this execution's test server with its administrator. */
    public static JMXConnector connect(AdminEndpoint admin) throws IOException {
        AdminCredentials c = AdminCredentials.fromSystemProperty();
        return connect(java.net.URI.create(admin.base()).getPort(), c.user(), c.password(), admin.tls());
    }

    public static Object attribute(MBeanServerConnection mbeans, String objectName, String attribute)
            throws Exception {
        return mbeans.getAttribute(new javax.management.ObjectName(objectName), attribute);
    }
}
