package org.osms.it;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Properties;

/**
 * The test servers' administrator and keystore password: random, written once per build directory into a
 * server.env file (0600) that the build hands to the test servers as their environment ({@code serverEnvFile}), never
 * into the repository. Kept while target/ lives, so that a server's keystore, made at its first start under
 * {@code keystore_password}, still opens on the next run.
 */
public record AdminCredentials(String user, String password, String keystorePassword) {
    public static final String USER = "OSMS_ADMIN_USER";
    public static final String PASSWORD = "OSMS_ADMIN_PASSWORD";
    public static final String KEYSTORE_PASSWORD = "keystore_password";

    /** {@code AdminCredentials FILE}: writes the file unless it exists (pre-integration-test, before the servers). */
    public static void main(String[] args) throws IOException {
        Path file = Path.of(args[0]);
        if (Files.exists(file)) {
            return;
        }
        Files.createDirectories(file.getParent());
        Path fresh = Files.createTempFile(file.getParent(), "server", ".env",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(fresh, USER + "=osms-admin\n" + PASSWORD + "=" + random() + "\n"
                + KEYSTORE_PASSWORD + "=" + random() + "\n", StandardCharsets.UTF_8);
        Files.move(fresh, file);
    }

    /** The credentials of the test servers of this build (failsafe sets osms.it.adminEnv). */
    public static AdminCredentials fromSystemProperty() {
        String file = System.getProperty("osms.it.adminEnv");
        if (file == null) {
            throw new IllegalStateException("osms.it.adminEnv is not set: run the integration tests with mvn verify");
        }
        AdminCredentials c = read(Path.of(file));
        NeverLogged.record(c.password()); // ServerLogsIT: the server must never log the administrator's password
        return c;
    }

    public static AdminCredentials read(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
        AdminCredentials c = new AdminCredentials(p.getProperty(USER), p.getProperty(PASSWORD),
                p.getProperty(KEYSTORE_PASSWORD));
        if (c.user() == null || c.password() == null || c.keystorePassword() == null) {
            throw new IllegalStateException(file + " lacks the administrator or the keystore password");
        }
        return c;
    }

    private static String random() {
        byte[] b = new byte[24];
        new SecureRandom().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    @Override
    public String toString() {
        return "AdminCredentials[" + user + ", passwords hidden]";
    }
}
