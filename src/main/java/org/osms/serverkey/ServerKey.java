package org.osms.serverkey;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Clock;
import java.util.logging.Logger;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.ServerKeyView;

/**
 * The server's OTR identity. Loaded from the database at start-up; generated there the first time (1024-bit DSA with
 * a 160-bit subgroup, the key size OTR version 3 implementations interoperate with).
 */
@ApplicationScoped
public class ServerKey {
    private static final Logger LOG = Logger.getLogger(ServerKey.class.getName());

    @Inject
    ServerKeyStore store;

    @Inject
    Clock clock;

    @Inject
    SecureRandom random;

    private volatile Loaded loaded;

    private record Loaded(OtrPublicKey publicKey, PrivateKey privateKey, long createdAt) {
    }

    /** Loads the key, generating and storing it on first start; logs its fingerprint for the operator. */
    public void initialize() {
        ServerKeyRow row = store.load().orElseGet(this::generate);
        try {
            OtrPublicKey pub = OtrPublicKey.parse(row.publicKey());
            PrivateKey priv = KeyFactory.getInstance("DSA").generatePrivate(new PKCS8EncodedKeySpec(row.privateKey()));
            loaded = new Loaded(pub, priv, row.createdAt());
            LOG.info(() -> "OSMS server OTR key fingerprint: " + pub.fingerprint().human());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The stored server key cannot be read", e);
        }
    }

    private ServerKeyRow generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("DSA");
            generator.initialize(1024, random);
            KeyPair pair = generator.generateKeyPair();
            OtrPublicKey pub = OtrPublicKey.of(pair.getPublic());
            ServerKeyRow row = new ServerKeyRow(pub.serialized(), pair.getPrivate().getEncoded(),
                    pub.fingerprint().hex(), clock.millis());
            try {
                store.insert(row);
                LOG.info("Generated a new server OTR key.");
                return row;
            } catch (RuntimeException raced) {
                // Another instance on the same database stored its key first: use that one.
                return store.load().orElseThrow(() -> raced);
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot generate the server key", e);
        }
    }

    private Loaded current() {
        Loaded l = loaded;
        if (l == null) {
            throw new IllegalStateException("The server key is not loaded yet");
        }
        return l;
    }

    public OtrPublicKey publicKey() {
        return current().publicKey();
    }

    /** For the OTR engine only. */
    public KeyPair keyPair() {
        Loaded l = current();
        return new KeyPair(l.publicKey().dsaKey(), l.privateKey());
    }

    public ServerKeyView view() {
        Loaded l = current();
        return new ServerKeyView(l.publicKey().serialized(), l.publicKey().fingerprint().hex(), l.createdAt());
    }
}
