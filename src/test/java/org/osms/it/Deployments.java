package org.osms.it;

import java.io.File;
import java.net.URL;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.util.UUID;
import org.jboss.shrinkwrap.api.ShrinkWrap;
import org.jboss.shrinkwrap.api.importer.ZipImporter;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/**
 * In-container test deployments: the WAR the build just packaged, plus the test classes, deployed next to the
 * application under its own context root. Both share the server's database.
 */
public final class Deployments {
    private Deployments() {
    }

    public static WebArchive osmsWith(String name, Class<?>... testClasses) {
        WebArchive war = ShrinkWrap.create(ZipImporter.class, name + ".war")
                .importFrom(new File("target/osms.war"))
                .as(WebArchive.class);
        war.addClasses(testClasses);
        war.addClasses(Deployments.class, Http.class, Http.Answer.class, AuditPages.class, NeverLogged.class);
        return war;
    }

    /** The application itself, at the root of the same server as the test deployment. */
    public static Http application(URL deploymentUrl) {
        return new Http(deploymentUrl.getProtocol() + "://" + deploymentUrl.getHost() + ":" + deploymentUrl.getPort());
    }

    /** A name no test used before; recorded as one the server must never log. */
    public static Username freshUsername(String prefix) {
        Username name = Username.of(prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 16));
        NeverLogged.record(name.value());
        return name;
    }

    public static OtrPublicKey freshKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("DSA");
            g.initialize(1024);
            OtrPublicKey key = OtrPublicKey.of(g.generateKeyPair().getPublic());
            NeverLogged.record(key.fingerprint().hex());
            return key;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
