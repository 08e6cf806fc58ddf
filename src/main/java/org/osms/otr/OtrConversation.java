package org.osms.otr;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import net.java.otr4j.OtrEngineHost;
import net.java.otr4j.OtrException;
import net.java.otr4j.OtrPolicy;
import net.java.otr4j.OtrPolicyImpl;
import net.java.otr4j.session.FragmenterInstructions;
import net.java.otr4j.session.InstanceTag;
import net.java.otr4j.session.OtrSm;
import net.java.otr4j.session.SessionID;
import net.java.otr4j.session.SessionImpl;
import net.java.otr4j.session.SessionStatus;
import net.java.otr4j.session.TLV;
import org.osms.protocol.Fingerprint;
import org.osms.protocol.OtrPublicKey;

/**
 * One OTR conversation, with OSMS's policy: protocol version 3 only, encryption required, no whitespace tags, no
 * fragmentation (HTTP carries whole messages). Not thread-safe, like the otr4j session inside it: one conversation,
 * one thread at a time.
 *
 * <p>Before otr4j sees a message, OSMS checks it: fragments are refused, an encoded message's structure and lengths
 * must match the bytes received ({@link OtrEncodedMessage}), it must come from the instance the conversation
 * started with, and a data message's counter must increase for its key pair ({@link ReceivedCounters}).
 *
 * <p>Every call into otr4j is guarded: otr4j's parser has crashed on malformed input such as {@code ?OTR} or
 * {@code ?OTRv}, so any exception it throws becomes an {@link OtrFailure}, which callers answer with a 4xx.
 */
public final class OtrConversation {
    /** The longest OTR message OSMS accepts. A data message carrying a command is a few KiB. */
    public static final int MAX_MESSAGE_LENGTH = 64 * 1024;
    public static final String QUERY_MESSAGE = "?OTRv3?";

    private final SessionImpl session;
    private final Host host;
    private final ReceivedCounters counters = new ReceivedCounters();

    public OtrConversation(String localAccount, String remoteAccount, KeyPair localKey) {
        this(localAccount, remoteAccount, localKey, SessionImpl::new);
    }

    /**
     * With the engine's session made by {@code engine} around this conversation's host: so that a test can show what
     * this class does when otr4j answers otherwise than it does today, which no input makes it do.
     */
    OtrConversation(String localAccount, String remoteAccount, KeyPair localKey,
                    BiFunction<SessionID, OtrEngineHost, SessionImpl> engine) {
        this.host = new Host(localKey);
        this.session = engine.apply(new SessionID(localAccount, remoteAccount, "osms"), host);
        refuseSmp(session, host);
    }

    /**
     * otr4j parses the socialist millionaires' protocol's TLVs, which arrive encrypted inside data messages, sizing
     * arrays from the MPI lengths in them (up to 2 GiB for a message of a few bytes). OSMS does not use SMP, and
     * encrypted TLVs cannot be checked before otr4j decrypts them, so otr4j's SMP handler (a private field with no
     * setter) is replaced by one that refuses every SMP TLV unread.
     */
    private static void refuseSmp(SessionImpl session, Host host) {
        try {
            Field handler = SessionImpl.class.getDeclaredField("otrSm");
            handler.setAccessible(true);
            handler.set(session, new NoSmp(session, host));
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new IllegalStateException("otr4j's SMP handler cannot be replaced; SMP input would be parsed", e);
        }
    }

    /** Refuses SMP TLVs (types 2 to 7) without parsing them; padding and unknown TLVs are ignored, as otr4j does. */
    private static final class NoSmp extends OtrSm {
        private final Host host;

        NoSmp(SessionImpl session, Host host) {
            super(session, host);
            this.host = host;
        }

        @Override
        public boolean doProcessTlv(TLV tlv) {
            if (tlv.getType() >= TLV.SMP1 && tlv.getType() <= TLV.SMP1Q) {
                host.rejected = "Socialist millionaires' protocol is not used by OSMS.";
                return true;
            }
            return false;
        }
    }

    /** What one received message produced: plaintext (for a data message) and the messages to send back. */
    public record Received(Optional<String> plaintext, List<String> replies) {
    }

    /** Starts the handshake as the initiator: returns the query message to send. */
    public List<String> start() throws OtrFailure {
        guard(() -> {
            session.startSession();
            return null;
        });
        return host.drain();
    }

    /**
     * Starts the authenticated key exchange itself, as OTR lets either side do: returns the D-H Commit to send. OTR
     * answers a query with a D-H Commit, so this hands otr4j the query the other side would otherwise have been sent.
     * Against {@link #start}, the handshake takes one round trip less, and this side is the one that reveals its
     * long-term key first (in its Reveal Signature message), before the other side proves its own.
     */
    public List<String> startKeyExchange() throws OtrFailure {
        return dhCommit(receive(QUERY_MESSAGE).replies());
    }

    /**
     * What the engine answered the query, if it is exactly one D-H Commit. otr4j, under this policy (version 3
     * allowed), answers every {@code ?OTRv3?} so, in any state: a conversation already encrypted starts a new key
     * exchange. Anything else would mean an engine that behaves otherwise, and is refused rather than sent.
     *
     * <p>Only the message's header (version and type) is read: this runs on every login the client starts, and the
     * message is the engine's own. Its body is checked where it is received, in full ({@link #receive}), before the
     * other side's engine sees it: a D-H Commit with a malformed body is refused there like any malformed message
     * (the server answers 400 {@code bad_otr_message} and opens no conversation).
     */
    static List<String> dhCommit(List<String> replies) throws OtrFailure {
        if (replies.size() != 1 || !OtrEncodedMessage.isEncoded(replies.get(0))
                || OtrEncodedMessage.typeOf(replies.get(0)) != OtrEncodedMessage.DH_COMMIT) {
            throw new OtrFailure("The OTR engine did not start a key exchange.");
        }
        return replies;
    }

    /** Feeds one received OTR message. */
    public Received receive(String message) throws OtrFailure {
        if (message == null || message.isEmpty()) {
            throw new OtrFailure("An OTR message is required.");
        }
        if (message.length() > MAX_MESSAGE_LENGTH) {
            throw new OtrFailure("The OTR message is too long.");
        }
        if (!message.startsWith("?OTR")) {
            // Plaintext is never acceptable: encryption is required, and otr4j would only report it to the host.
            throw new OtrFailure("Only OTR messages are accepted.");
        }
        if (message.startsWith("?OTR|") || message.startsWith("?OTR,")) {
            // Whole messages only: otr4j would keep a refused fragment in its reassembly buffer.
            throw new OtrFailure("OTR fragments are not accepted: send whole messages.");
        }
        Optional<OtrEncodedMessage.DataHeader> data = Optional.empty();
        if (OtrEncodedMessage.isEncoded(message)) {
            OtrEncodedMessage encoded = OtrEncodedMessage.parse(message);
            refuseOtherInstance(encoded);
            if (encoded.type() == OtrEncodedMessage.SIGNATURE || encoded.type() == OtrEncodedMessage.REVEAL_SIGNATURE) {
                refuseUnfitSignedKey(OtrSealedSignature.of(message, encoded.type()));
            }
            data = encoded.data();
            if (data.isPresent() && !counters.isFresh(data.get())) {
                throw new OtrFailure("The OTR data message repeats a counter: it is a replay.");
            }
        }
        host.reset();
        SessionStatus before = session.getSessionStatus();
        String plain;
        try {
            plain = guard(() -> session.transformReceiving(message));
        } finally {
            // otr4j changes keys before it reads the TLVs: a message refused for its TLVs (SMP, or malformed) has
            // already left old MAC keys behind
            keepFewOldMacKeys();
        }
        if (host.rejected != null) {
            host.drain();
            throw new OtrFailure(host.rejected);
        }
        if (before == SessionStatus.ENCRYPTED && plain == null && session.getSessionStatus() == SessionStatus.ENCRYPTED
                && !host.hasOutbound()) {
            // In an established conversation every message must carry something we can read.
            throw new OtrFailure("The OTR message could not be read in this conversation.");
        }
        if (data.isPresent() && before == SessionStatus.ENCRYPTED) {
            counters.accepted(data.get());
        }
        return new Received(Optional.ofNullable(plain), host.drain());
    }

    /** Old MAC keys kept for the next data message this side sends, at most (see {@link #keepFewOldMacKeys}). */
    static final int MAX_OLD_MAC_KEYS = 20;

    /**
     * otr4j keeps the MAC keys of every receiving key it has stopped using, to reveal them in the next data message
     * this side sends, and only that message empties the list. A peer that moves to a new key in each message and
     * gets no reply (the server answers a refused command outside the channel) would grow it for as long as the
     * conversation lasts, twenty bytes and more per message. Past {@link #MAX_OLD_MAC_KEYS} the oldest are dropped:
     * they are then never revealed, which costs the peer nothing it relied on (a revealed key only lets anyone forge
     * messages that are over), and in a conversation that takes turns the list never holds more than a few.
     */
    private void keepFewOldMacKeys() {
        try {
            if (OLD_MAC_KEYS.get(session) instanceof List<?> keys && keys.size() > MAX_OLD_MAC_KEYS) {
                keys.subList(0, keys.size() - MAX_OLD_MAC_KEYS).clear();
            }
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The old MAC keys otr4j keeps now, oldest first, in hexadecimal: for the tests. */
    List<String> oldMacKeyHex() {
        try {
            return OLD_MAC_KEYS.get(session) instanceof List<?> keys
                    ? keys.stream().map(k -> java.util.HexFormat.of().formatHex((byte[]) k)).toList() : List.of();
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    /** otr4j's AuthContext states (net.java.otr4j.session.AuthContext, a package-private class). */
    private static final int AWAITING_REVEALSIG = 2;
    private static final int AWAITING_SIG = 3;
    private static final Field AUTH_CONTEXT;
    private static final Field SLAVE_SESSIONS;
    private static final Field OLD_MAC_KEYS;
    private static final Field AUTH_STATE;
    private static final Field REMOTE_DH_ENCRYPTED;
    private static final Field REMOTE_DH_HASH;
    private static final Field LOCAL_DH_KEY_PAIR;
    private static final Method SHARED_SECRET;
    private static final Field SHARED_SECRET_VALUE;
    /** The keys otr4j derives from the shared secret and keeps once derived: c, c', m1, m1', m2, m2'. */
    private static final List<Field> DERIVED_KEYS;

    static {
        try {
            AUTH_CONTEXT = accessible(SessionImpl.class.getDeclaredField("authContext"));
            SLAVE_SESSIONS = accessible(SessionImpl.class.getDeclaredField("slaveSessions"));
            OLD_MAC_KEYS = accessible(SessionImpl.class.getDeclaredField("oldMacKeys"));
            Class<?> auth = Class.forName("net.java.otr4j.session.AuthContextImpl");
            AUTH_STATE = accessible(auth.getDeclaredField("authenticationState"));
            REMOTE_DH_ENCRYPTED = accessible(auth.getDeclaredField("remoteDHPublicKeyEncrypted"));
            REMOTE_DH_HASH = accessible(auth.getDeclaredField("remoteDHPublicKeyHash"));
            LOCAL_DH_KEY_PAIR = accessible(auth.getSuperclass().getDeclaredField("localDHKeyPair"));
            SHARED_SECRET = auth.getDeclaredMethod("getS");
            SHARED_SECRET.setAccessible(true);
            SHARED_SECRET_VALUE = accessible(auth.getDeclaredField("s"));
            List<Field> derived = new ArrayList<>();
            for (String name : List.of("c", "cp", "m1", "m1p", "m2", "m2p")) {
                derived.add(accessible(auth.getDeclaredField(name)));
            }
            DERIVED_KEYS = List.copyOf(derived);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ExceptionInInitializerError("otr4j's handshake state or old MAC keys cannot be read; the "
                    + "encrypted part of its Signature messages would be parsed unchecked, and its old MAC keys kept "
                    + "without bound: " + e);
        }
    }

    private static Field accessible(Field f) {
        f.setAccessible(true);
        return f;
    }

    /**
     * The AKE's Reveal Signature and Signature messages carry the sender's public key encrypted, and otr4j sizes
     * arrays from the MPI lengths inside once it has decrypted them (up to 2 GiB each, and as much again for each
     * BigInteger: a Signature message of 300 bytes made it allocate 4 GiB). The outer message cannot show them, so
     * OSMS reads the keys otr4j will use from its handshake state (private fields, as for SMP above) and checks the
     * inside first (OtrSealedSignature). Every handshake state otr4j could use for this message is tried: the master
     * session's and each instance's. A message that a state awaits but whose MAC verifies under none of them is
     * refused here rather than left for otr4j to ignore (where no state awaits it, otr4j ignores it unread): otr4j
     * keeps the MAC and encryption keys it derived once (c, m1, m2 …) across a second D-H Commit, so it could verify
     * under keys this check did not compute and parse X unchecked. {@link #revealedSecret} also clears those keys.
     */
    private void refuseUnfitSignedKey(OtrSealedSignature sealed) throws OtrFailure {
        List<Object> contexts = new ArrayList<>();
        boolean awaited = false;
        try {
            contexts.add(AUTH_CONTEXT.get(session));
            for (Object slave : ((java.util.Map<?, ?>) SLAVE_SESSIONS.get(session)).values()) {
                contexts.add(AUTH_CONTEXT.get(slave));
            }
            for (Object auth : contexts) {
                if (auth == null) {
                    continue;
                }
                int state = AUTH_STATE.getInt(auth);
                BigInteger s = null;
                if (state == AWAITING_SIG && sealed.isSignature()) {
                    s = (BigInteger) SHARED_SECRET.invoke(auth);
                } else if (state == AWAITING_REVEALSIG && !sealed.isSignature()) {
                    s = revealedSecret(auth, sealed.revealedKey());
                }
                if (s != null && sealed.checkUnder(s)) {
                    return;
                }
                awaited |= s != null;
            }
        } catch (ReflectiveOperationException | ClassCastException e) {
            throw new OtrFailure("The OTR message was rejected.");
        }
        if (awaited) {
            throw new OtrFailure("The signature message does not verify in this handshake.");
        }
    }

    /**
     * The shared secret a Reveal Signature message yields, as otr4j computes it: g^x from the D-H Commit decrypted
     * with the revealed key r and checked against its hash, raised to our D-H private key. Null where otr4j would
     * ignore the message (a hash that does not match); refused where otr4j would read an MPI longer than g^x's
     * plaintext (the D-H Commit's outer check bounded that to 196 bytes).
     */
    private static BigInteger revealedSecret(Object auth, byte[] r) throws ReflectiveOperationException, OtrFailure {
        byte[] encrypted = (byte[]) REMOTE_DH_ENCRYPTED.get(auth);
        byte[] hash = (byte[]) REMOTE_DH_HASH.get(auth);
        KeyPair local = (KeyPair) LOCAL_DH_KEY_PAIR.get(auth);
        if (encrypted == null || hash == null || local == null) {
            return null;
        }
        byte[] mpi = OtrSealedSignature.aesCtr(r, encrypted);
        try {
            if (!java.security.MessageDigest.isEqual(hash,
                    java.security.MessageDigest.getInstance("SHA-256").digest(mpi))) {
                return null;
            }
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        // The hash matches, so otr4j will read this MPI at the length it claims: the sender chose the plaintext it
        // sealed in its D-H Commit (hash included), so that length is a claim like any other.
        long length = mpi.length < 4 ? -1 : ((long) (mpi[0] & 0xff) << 24) | ((mpi[1] & 0xff) << 16)
                | ((mpi[2] & 0xff) << 8) | (mpi[3] & 0xff);
        if (length < 1 || length > mpi.length - 4) {
            throw new OtrFailure("The OTR message is malformed.");
        }
        BigInteger gx = new BigInteger(1, java.util.Arrays.copyOfRange(mpi, 4, 4 + (int) length));
        javax.crypto.interfaces.DHPrivateKey y = (javax.crypto.interfaces.DHPrivateKey) local.getPrivate();
        BigInteger s = gx.modPow(y.getX(), y.getParams().getP());
        // otr4j computes s lazily (getS) and keeps it; handing it this one spares it the same exponentiation, the
        // costliest step of its half of the handshake. It is the value otr4j would compute: the g^x its D-H Commit
        // committed to (the hash matched) and our own D-H key, set again at every Reveal Signature it checks.
        SHARED_SECRET_VALUE.set(auth, s);
        for (Field derived : DERIVED_KEYS) {
            derived.set(auth, null); // derived from the secret before, if otr4j ever did: from this one now
        }
        return s;
    }

    /**
     * Once the other side's instance tag is known, a message from another instance is refused here: otr4j would
     * create and keep a whole second session for it.
     */
    private void refuseOtherInstance(OtrEncodedMessage encoded) throws OtrFailure {
        int known = session.getReceiverInstanceTag().getValue();
        if (known != 0 && known != encoded.senderInstance()) {
            throw new OtrFailure("The OTR message belongs to another conversation.");
        }
    }

    /**
     * Whether {@code message} is an encoded OTR version 3 data message by its header alone (neither a query, an AKE
     * message nor anything malformed); the rest is checked when it is received.
     */
    public static boolean isDataMessage(String message) {
        if (message == null || !OtrEncodedMessage.isEncoded(message)) {
            return false;
        }
        try {
            return OtrEncodedMessage.typeOf(message) == OtrEncodedMessage.DATA;
        } catch (OtrFailure | RuntimeException malformed) {
            return false;
        }
    }

    /**
     * Whether {@code message} is a Signature or Reveal Signature message: the one that completes a handshake, or
     * does not. Reads the header only; false for anything that is not an encoded OTR message.
     */
    public static boolean isSignatureMessage(String message) {
        if (message == null || !OtrEncodedMessage.isEncoded(message)) {
            return false;
        }
        try {
            int type = OtrEncodedMessage.typeOf(message);
            return type == OtrEncodedMessage.SIGNATURE || type == OtrEncodedMessage.REVEAL_SIGNATURE;
        } catch (OtrFailure | RuntimeException malformed) {
            return false;
        }
    }

    /** Encrypts one plaintext message; requires an encrypted conversation. */
    public List<String> send(String plaintext) throws OtrFailure {
        if (!isEncrypted()) {
            throw new OtrFailure("The conversation is not encrypted.");
        }
        String[] parts = guard(() -> session.transformSending(plaintext));
        List<String> out = new ArrayList<>(host.drain());
        Collections.addAll(out, parts);
        return out;
    }

    /** Ends the conversation: returns the message carrying the disconnect TLV for the other side. */
    public List<String> end() throws OtrFailure {
        guard(() -> {
            session.endSession();
            return null;
        });
        return host.drain();
    }

    public boolean isEncrypted() {
        return session.getSessionStatus() == SessionStatus.ENCRYPTED;
    }

    /** The other side ended the conversation (disconnect TLV received). */
    public boolean isFinished() {
        return session.getSessionStatus() == SessionStatus.FINISHED;
    }

    /**
     * The fingerprint of the long-term key the other side proved in the handshake, without validating the key: to
     * compare with a key validated before (see {@link OtrPublicKey#fingerprintOf}). Empty until encrypted.
     */
    public Optional<Fingerprint> remoteFingerprint() {
        return remotePublicKey().map(OtrPublicKey::fingerprintOf);
    }

    /**
     * The long-term key the other side proved in the handshake, validated (primality of p and q included); empty
     * until the conversation is encrypted.
     */
    public Optional<OtrPublicKey> remoteKey() {
        return remotePublicKey().map(OtrPublicKey::of);
    }

    /**
     * The long-term key the other side proved, validated in all but the primality of p and q: such a key must not be
     * stored or trusted before {@link OtrPublicKey#requirePrimes} has returned. Empty until encrypted.
     */
    public Optional<OtrPublicKey> remoteKeyUnproven() {
        return remotePublicKey().map(OtrPublicKey::ofUnproven);
    }

    private Optional<PublicKey> remotePublicKey() {
        if (!isEncrypted() && !isFinished()) {
            return Optional.empty();
        }
        return Optional.ofNullable(session.getRemotePublicKey());
    }

    private interface OtrCall<T> {
        T call() throws OtrException;
    }

    /**
     * Runs one call into otr4j. What it asked to send before it failed is dropped with the call: otherwise the next
     * call would hand it out as its own answer (the reply to a message that was refused, or one from a handshake
     * state otr4j left half-way).
     */
    private <T> T guard(OtrCall<T> call) throws OtrFailure {
        try {
            return call.call();
        } catch (OtrException e) {
            host.drain();
            throw new OtrFailure("The OTR message was rejected.");
        } catch (RuntimeException | StackOverflowError e) {
            host.drain();
            throw new OtrFailure("The OTR message is malformed.");
        }
    }

    /** otr4j's callbacks: collect what it wants to send, remember what it refused, supply the key and policy. */
    private static final class Host implements OtrEngineHost {
        private static final OtrPolicy POLICY = new OtrPolicyImpl(OtrPolicy.ALLOW_V3 | OtrPolicy.REQUIRE_ENCRYPTION);
        private static final FragmenterInstructions WHOLE_MESSAGES =
                new FragmenterInstructions(FragmenterInstructions.UNLIMITED, FragmenterInstructions.UNLIMITED);

        private final KeyPair localKey;
        private final byte[] localFingerprint;
        /** What otr4j asked to send since the last drain; null when nothing waits: an idle conversation keeps none. */
        private List<String> outbound;
        private String rejected;

        Host(KeyPair localKey) {
            this.localKey = localKey;
            // the local key is this side's own: its fingerprint, not a validation, on every conversation
            this.localFingerprint = java.util.HexFormat.of()
                    .parseHex(OtrPublicKey.fingerprintOf(localKey.getPublic()).hex());
        }

        void reset() {
            rejected = null;
        }

        List<String> drain() {
            if (outbound == null) {
                return List.of();
            }
            List<String> out = List.copyOf(outbound);
            outbound = null;
            return out;
        }

        boolean hasOutbound() {
            return outbound != null && !outbound.isEmpty();
        }

        @Override
        public void injectMessage(SessionID sessionID, String msg) {
            if (outbound == null) {
                outbound = new ArrayList<>(2);
            }
            outbound.add(msg);
        }

        @Override
        public void unreadableMessageReceived(SessionID sessionID) {
            rejected = "The OTR message could not be decrypted in this conversation.";
        }

        @Override
        public void unencryptedMessageReceived(SessionID sessionID, String msg) {
            rejected = "Unencrypted messages are not accepted.";
        }

        @Override
        public void showError(SessionID sessionID, String error) {
            rejected = "The other side reported an OTR error.";
        }

        @Override
        public void smpError(SessionID sessionID, int tlvType, boolean cheated) {
            rejected = "Socialist millionaires' protocol is not used by OSMS.";
        }

        @Override
        public void smpAborted(SessionID sessionID) {
            rejected = "Socialist millionaires' protocol is not used by OSMS.";
        }

        @Override
        public void finishedSessionMessage(SessionID sessionID, String msgText) {
            rejected = "The conversation has ended.";
        }

        @Override
        public void requireEncryptedMessage(SessionID sessionID, String msgText) {
            rejected = "The conversation is not encrypted.";
        }

        @Override
        public OtrPolicy getSessionPolicy(SessionID sessionID) {
            return POLICY;
        }

        @Override
        public FragmenterInstructions getFragmenterInstructions(SessionID sessionID) {
            return WHOLE_MESSAGES;
        }

        @Override
        public KeyPair getLocalKeyPair(SessionID sessionID) {
            return localKey;
        }

        @Override
        public byte[] getLocalFingerprintRaw(SessionID sessionID) {
            return localFingerprint.clone();
        }

        @Override
        public void askForSecret(SessionID sessionID, InstanceTag receiverTag, String question) {
            rejected = "Socialist millionaires' protocol is not used by OSMS.";
        }

        @Override
        public void verify(SessionID sessionID, String fingerprint, boolean approved) {
            // OSMS checks keys against the directory instead of SMP.
        }

        @Override
        public void unverify(SessionID sessionID, String fingerprint) {
            // OSMS checks keys against the directory instead of SMP.
        }

        @Override
        public String getReplyForUnreadableMessage(SessionID sessionID) {
            return "unreadable";
        }

        @Override
        public String getFallbackMessage(SessionID sessionID) {
            return "";
        }

        @Override
        public void messageFromAnotherInstanceReceived(SessionID sessionID) {
            rejected = "The OTR message belongs to another conversation.";
        }

        @Override
        public void multipleInstancesDetected(SessionID sessionID) {
            // One client instance per conversation; a second one is rejected when it sends anything.
        }
    }
}
