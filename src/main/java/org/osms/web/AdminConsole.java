package org.osms.web;

import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.naming.InitialContext;
import javax.naming.NamingException;

/**
 * The operator's console (Admin Center, the REST connector, health, metrics, OpenAPI) is on only when its
 * administrator is named: {@code OSMS_ADMIN_USER} and {@code OSMS_ADMIN_PASSWORD} (README, "Operator's console"), as
 * Liberty resolved them for its user registry. Without both, server.xml's empty defaults already leave Liberty without a user registry, so nobody can
 * sign in; this closes the admin endpoint as well, so it does not even accept connections, and says so once.
 *
 * <p>Liberty opens its ports only after the applications have started, so pausing the endpoint here, while OSMS
 * starts, means it never listens. Pausing is Liberty's own {@code ServerEndpointControl}, the mechanism behind
 * {@code server pause}; it is asked for the admin endpoint alone, so the public endpoint opens as usual.
 */
public class AdminConsole implements ServletContainerInitializer {
    private static final Logger LOG = Logger.getLogger(AdminConsole.class.getName());
    static final String ENDPOINT = "adminHttpEndpoint";
    static final String USER = "OSMS_ADMIN_USER";
    static final String PASSWORD = "OSMS_ADMIN_PASSWORD";
    private static final String ENDPOINT_CONTROL = "WebSphere:feature=kernel,name=ServerEndpointControl";
    /**
     * Test deployments are copies of this application, each with its own copy of this class: a system property,
     * not a static, makes the server say it once.
     */
    private static final String SAID = "org.osms.web.AdminConsole.said";

    /**
     * The shortest administrator's password the console opens with. Liberty neither slows down nor locks out
     * guesses, and every process of the machine reaches the port.
     */
    static final int MIN_PASSWORD_LENGTH = 16;

    /**
     * The administrator as Liberty resolved it for its user registry: server.xml binds the same
     * {@code ${osms.admin.user}} and {@code ${osms.admin.password}} that {@code quickStartSecurity} reads into these
     * names. Liberty takes the variables from the environment and from places that outrank it (bootstrap.properties,
     * a {@code -D} option, a configuration drop-in); the check must see the value Liberty uses, not only the
     * environment's.
     */
    static final String USER_JNDI = "osms/admin/user";
    static final String PASSWORD_JNDI = "osms/admin/password";

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        Map<String, String> resolved = new HashMap<>();
        resolved.put(USER, lookUp(USER_JNDI));
        resolved.put(PASSWORD, lookUp(PASSWORD_JNDI));
        String off = whyOff(resolved);
        if (off != null) {
            close(off, present(resolved.get(USER)) && present(resolved.get(PASSWORD)));
        }
    }

    /**
     * The value bound under {@code name}, as text; null when nothing is (an empty variable). A value Liberty read as a
     * number or a boolean (its jndiEntry parses literals) is given back as Java writes it.
     */
    private static String lookUp(String name) {
        try {
            Object value = InitialContext.doLookup(name);
            return value == null ? null : value.toString();
        } catch (NamingException unbound) {
            return null;
        }
    }

    /**
     * Both set to something other than blanks, and the password long enough; values are never logged.
     * {@code administrator}: the values resolved, by the names of the variables an operator sets.
     */
    static boolean enabled(Map<String, String> administrator) {
        return whyOff(administrator) == null;
    }

    /** Why the console stays off, as the log says it; null when it opens. */
    static String whyOff(Map<String, String> administrator) {
        String password = administrator.get(PASSWORD);
        if (!present(administrator.get(USER)) || !present(password)) {
            return USER + " and " + PASSWORD + " are not both set, so no administrator can sign in";
        }
        if (ENCODED.matcher(password.strip()).lookingAt()) {
            // {xor}, {aes}, {hash}: Liberty checks sign-ins against it, but its length says nothing about the
            // password's (and Liberty's own decoding, asked for a value that turns out plain, logs it)
            return PASSWORD + " is encoded ({xor}, {aes} or {hash}), so its length cannot be checked; give it plain";
        }
        if (password.strip().length() < MIN_PASSWORD_LENGTH) {
            return PASSWORD + " has fewer than " + MIN_PASSWORD_LENGTH + " characters, too easily guessed";
        }
        return null;
    }

    /** What Liberty's password encodings ({xor}, {aes}, {hash}) begin with. */
    private static final Pattern ENCODED = Pattern.compile("\\{[A-Za-z0-9]+}");

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }

    /** {@code registryHoldsTheUser}: the variables are set (the password too short), so Liberty's registry has them. */
    private static void close(String why, boolean registryHoldsTheUser) {
        boolean paused = false;
        try {
            MBeanServer server = ManagementFactory.getPlatformMBeanServer();
            server.invoke(new ObjectName(ENDPOINT_CONTROL), "pause", new Object[] {ENDPOINT},
                    new String[] {String.class.getName()});
            paused = true;
        } catch (JMException | RuntimeException e) {
            // without the variables the registry is empty all the same (server.xml): nobody can sign in even where
            // the port is open; with a short password it is not, hence SEVERE
            LOG.log(registryHoldsTheUser ? Level.SEVERE : Level.WARNING,
                    "The operator''s console could not be closed: {0}", e.toString());
        }
        if (System.getProperties().putIfAbsent(SAID, "yes") == null) {
            LOG.log(Level.WARNING, "The operator''s console is off: " + why + "{0}.",
                    paused ? " and its port stays closed" : "");
        }
    }
}
