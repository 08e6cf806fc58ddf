package org.osms.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.util.List;
import java.util.Objects;

/**
 * The signed handover from one server key to the next (docs/protocol.md, "GET /pk/history"). Both the old key and the
 * new key sign the ASCII statement
 *
 * <pre>"OSMS-SERVER-KEY-1:" + serial + ":" + fingerprint of the old key + ":" + fingerprint of the new key + ":"
 *     + createdAt of the new key</pre>
 *
 * (serial and createdAt in decimal) with SHA256withDSA, ASN.1 DER {@code SEQUENCE {r, s}}. The old key's signature
 * is what a client that pinned it can trust: only the holder of the pinned key could authorise the new one. The new
 * key's signature shows its holder took the handover, so no key can be chained in without its owner.
 */
public final class ServerKeyHandover {
    /** More keys than an honest server rotates through in its life; a longer history is refused unread. */
    public static final int MAX_KEYS = 1000;
    private static final int MAX_SIGNATURE_BYTES = 128;

    private ServerKeyHandover() {
    }

    /** Why a history does not lead from a pinned key to the current one. */
    public static final class BrokenHandover extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BrokenHandover(String message) {
            super(message);
        }
    }

    public static byte[] statement(long serial, String previousFingerprint, String fingerprint, long createdAt) {
        return ("OSMS-SERVER-KEY-1:" + serial + ":" + previousFingerprint + ":" + fingerprint + ":" + createdAt)
                .getBytes(StandardCharsets.US_ASCII);
    }

    public static byte[] sign(byte[] statement, PrivateKey key) {
        try {
            Signature s = Signature.getInstance("SHA256withDSA");
            s.initSign(key);
            s.update(statement);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot sign the server key handover", e);
        }
    }

    static boolean verifies(byte[] statement, OtrPublicKey key, byte[] signature) {
        try {
            Signature s = Signature.getInstance("SHA256withDSA");
            s.initVerify(key.dsaKey());
            s.update(statement);
            return signature != null && signature.length <= MAX_SIGNATURE_BYTES && s.verify(signature);
        } catch (GeneralSecurityException | RuntimeException e) {
            return false;
        }
    }

    /**
     * Checks that {@code history} is a chain of signed handovers that leads from the key {@code pinned} to the key
     * {@code current} (the key of {@code GET /pk}); returns the keys from the pinned one to the current one. Throws
     * {@link BrokenHandover} otherwise: the history is not in serial order from 1, the pinned key is not in it, the
     * current key is not its last key, or from the pinned key on a key does not parse or does not have its
     * fingerprint, or a signature does not verify.
     *
     * <p>The keys before the pinned one are not parsed: they decide nothing for this client, and parsing a key checks
     * that its p and q are prime, a fraction of a second each for large keys, so a hostile history of many keys would
     * otherwise cost minutes before it was refused. The pinned and the current key are found by their fingerprints
     * first, for the same reason, and each is then checked against its key.
     */
    public static List<ServerKeyRecord> follow(List<ServerKeyRecord> history, Fingerprint pinned, Fingerprint current) {
        Objects.requireNonNull(pinned, "pinned");
        Objects.requireNonNull(current, "current");
        if (history == null || history.isEmpty()) {
            throw new BrokenHandover("the server publishes no key history");
        }
        if (history.size() > MAX_KEYS) {
            throw new BrokenHandover("the key history is longer than " + MAX_KEYS + " keys");
        }
        int pinnedAt = -1;
        for (int i = 0; i < history.size(); i++) {
            ServerKeyRecord r = history.get(i);
            if (r.serial() != i + 1) {
                throw new BrokenHandover("the key history is not in serial order from 1 (entry " + (i + 1) + ")");
            }
            if (pinned.hex().equals(r.fingerprint())) {
                pinnedAt = i;
            }
        }
        if (pinnedAt < 0) {
            throw new BrokenHandover("the pinned key " + pinned.human() + " is not in the server's key history");
        }
        if (!current.hex().equals(history.get(history.size() - 1).fingerprint())) {
            throw new BrokenHandover("the key the server uses now is not the last key of its history");
        }
        OtrPublicKey previous = null;
        for (ServerKeyRecord r : history.subList(pinnedAt, history.size())) {
            OtrPublicKey key;
            try {
                key = OtrPublicKey.parse(r.publicKey());
            } catch (RuntimeException e) {
                throw new BrokenHandover("key " + r.serial() + " of the history is not a valid OTR key");
            }
            if (!key.fingerprint().hex().equals(r.fingerprint())) {
                throw new BrokenHandover("key " + r.serial() + " of the history does not have its fingerprint");
            }
            if (previous != null) {
                byte[] said = statement(r.serial(), previous.fingerprint().hex(), r.fingerprint(), r.createdAt());
                if (!verifies(said, previous, r.previousKeySignature())) {
                    throw new BrokenHandover("the handover to key " + r.serial() + " is not signed by key "
                            + (r.serial() - 1));
                }
                if (!verifies(said, key, r.keySignature())) {
                    throw new BrokenHandover("the handover to key " + r.serial() + " is not signed by that key");
                }
            }
            previous = key;
        }
        return List.copyOf(history.subList(pinnedAt, history.size()));
    }
}
