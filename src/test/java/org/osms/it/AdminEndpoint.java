package org.osms.it;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A test server's admin endpoint over HTTPS, trusting exactly the certificate that server generated into its own
 * keystore and nothing else (never a trust-all manager, never a JVM-wide setting).
 */
public final class AdminEndpoint {
    private final String base;
    private final SSLContext tls;
    private final HttpClient client;

    public AdminEndpoint(String base, SSLContext tls) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        this.tls = tls;
        this.client = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(10)).build();
    }

    /** The admin endpoint of the test server this execution runs against (failsafe sets the properties). */
    public static AdminEndpoint fromSystemProperties() {
        String url = System.getProperty("osms.it.adminUrl");
        String server = System.getProperty("osms.it.serverName");
        if (url == null || server == null) {
            throw new IllegalStateException("osms.it.adminUrl is not set: run the integration tests with mvn verify");
        }
        return new AdminEndpoint(url, trusting(new LibertyServer(server),
                AdminCredentials.fromSystemProperty().keystorePassword()));
    }

    /** TLS that trusts only the server certificate in {@code server}'s generated keystore. */
    public static SSLContext trusting(LibertyServer server, String keystorePassword) {
        Path keystore = server.directory().resolve("resources/security/key.p12");
        try (InputStream in = Files.newInputStream(keystore)) {
            KeyStore own = KeyStore.getInstance("PKCS12");
            own.load(in, keystorePassword.toCharArray());
            Certificate certificate = own.getCertificate("default");
            if (certificate == null) {
                throw new IllegalStateException(keystore + " holds no certificate 'default'");
            }
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            trusted.setCertificateEntry("osms-admin", certificate);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(trusted);
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(null, tmf.getTrustManagers(), null);
            return tls;
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("cannot read the server certificate from " + keystore, e);
        }
    }

    public String base() {
        return base;
    }

    public SSLContext tls() {
        return tls;
    }

    public Http.Answer get(String path) {
        return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
    }

    public Http.Answer get(String path, String user, String password) {
        String basic = Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        return send(HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Basic " + basic).GET());
    }

    private Http.Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = client.send(request.timeout(Duration.ofSeconds(60)).build(),
                    HttpResponse.BodyHandlers.ofString());
            return new Http.Answer(r.statusCode(), r.headers().firstValue("Content-Type").orElse(""), r.body(),
                    r.headers().map());
        } catch (IOException e) {
            throw new IllegalStateException("request failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
