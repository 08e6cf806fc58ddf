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
import org.osms.protocol.ServerKeyHandover;
import org.osms.protocol.ServerKeyHistoryView;
import org.osms.protocol.ServerKeyRecord;
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

    /** {@code pair}: made once per loaded key, as every conversation's OTR engine keeps a reference to it. */
    private record Loaded(OtrPublicKey publicKey, PrivateKey privateKey, long createdAt, KeyPair pair) {
        Loaded(OtrPublicKey publicKey, PrivateKey privateKey, long createdAt) {
            this(publicKey, privateKey, createdAt, new KeyPair(publicKey.dsaKey(), privateKey));
        }
    }

    /** Loads the key, generating and storing it on first start; logs its fingerprint for the operator. */
    public void initialize() {
        ServerKeyRow row = store.load().orElseGet(this::generate);
        OtrPublicKey pub = OtrPublicKey.parse(row.publicKey());
        loaded = new Loaded(pub, privateKeyOf(row), row.createdAt());
        LOG.info(() -> "OSMS server OTR key fingerprint: " + pub.fingerprint().human());
    }

    private ServerKeyRow generate() {
        KeyPair pair = newPair();
        OtrPublicKey pub = OtrPublicKey.of(pair.getPublic());
        ServerKeyRow row = new ServerKeyRow(ServerKeyRow.FIRST, pub.serialized(), pair.getPrivate().getEncoded(),
                pub.fingerprint().hex(), clock.millis());
        try {
            store.insertFirst(row);
            LOG.info("Generated a new server OTR key.");
            return row;
        } catch (RuntimeException raced) {
            // Another instance on the same database stored its key first: use that one.
            return store.load().orElseThrow(() -> raced);
        }
    }

    /**
     * Replaces the server's key by a new one (an administrator's decision, org.osms.admin). The old key signs the
     * handover to the new one, the new key signs it too, and both stay in the public history ({@code GET
     * /pk/history}); the old private key is deleted. New conversations use the new key from now on; conversations
     * that began under the old key keep it until they end (their OTR session keys do not depend on it after the
     * handshake). Returns the new key's history entry.
     *
     * <p>One rotation at a time (this server holds the one instance of this bean): two at once would both build the
     * same next serial, and the one that stored second would fail on the primary key and end in a server error for
     * its administrator; and without the order, the first to finish could make its key the one served after the
     * second had replaced it. In turn, each rotation hands over from the key the one before it stored.
     */
    public synchronized ServerKeyRecord rotate() {
        store.load().ifPresent(current -> nextSerial(current.serial())); // refused before a key is made in vain
        KeyPair pair = newPair();
        OtrPublicKey pub = OtrPublicKey.of(pair.getPublic());
        ServerKeyStore.Rotation rotation = store.rotate(old -> {
            int serial = nextSerial(old.serial());
            long now = clock.millis();
            byte[] statement = ServerKeyHandover.statement(serial, old.fingerprint(), pub.fingerprint().hex(), now);
            return new ServerKeyStore.Rotation(
                    new ServerKeyRow(serial, pub.serialized(), pair.getPrivate().getEncoded(), pub.fingerprint().hex(),
                            now),
                    new ServerKeyRecord(serial, pub.serialized(), pub.fingerprint().hex(), now,
                            ServerKeyHandover.sign(statement, privateKeyOf(old)),
                            ServerKeyHandover.sign(statement, pair.getPrivate())));
        });
        loaded = new Loaded(pub, pair.getPrivate(), rotation.row().createdAt());
        LOG.info("The server OTR key was rotated; the handover is signed in the public key history.");
        return rotation.record();
    }

    /**
     * The serial of the key after the one with {@code serial}. Refused past {@link ServerKeyHandover#MAX_KEYS} keys:
     * a client refuses a longer history, so one rotation more would leave every client pinned to an older key unable
     * to follow for good (the history cannot shrink), and the history that {@code GET /pk/history} sends whole stays
     * bounded. Checked before the rotation, and again inside its transaction. An administrator's refusal: {@code
     * IllegalArgumentException}, as the console's other refusals (README, "Administration").
     */
    static int nextSerial(int serial) {
        if (serial >= ServerKeyHandover.MAX_KEYS) {
            throw new HistoryFull();
        }
        return serial + 1;
    }

    /**
     * The refusal of a rotation past {@link ServerKeyHandover#MAX_KEYS} keys. Its own type, so that the administrator's
     * use case can tell it from a failure and return it as a refusal: thrown out of an enterprise bean, any runtime
     * exception would reach the JMX client as an {@code EJBException} and the log as an error.
     */
    public static final class HistoryFull extends IllegalArgumentException {
        private static final long serialVersionUID = 1L;

        /** The refusal's code, as the console's other refusals carry one. */
        public static final String CODE = "key_history_full";

        HistoryFull() {
            super("The server key has had " + ServerKeyHandover.MAX_KEYS
                    + " keys, the longest history a client follows; it cannot be rotated again.");
        }
    }

    /** Every key the server has had, oldest first: {@code GET /pk/history}. */
    public ServerKeyHistoryView history() {
        return new ServerKeyHistoryView(store.history());
    }

    private KeyPair newPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("DSA");
            generator.initialize(1024, random);
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot generate the server key", e);
        }
    }

    private static PrivateKey privateKeyOf(ServerKeyRow row) {
        try {
            return KeyFactory.getInstance("DSA").generatePrivate(new PKCS8EncodedKeySpec(row.privateKey()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The stored server key cannot be read", e);
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
        return current().pair();
    }

    public ServerKeyView view() {
        Loaded l = current();
        return new ServerKeyView(l.publicKey().serialized(), l.publicKey().fingerprint().hex(), l.createdAt());
    }
}
