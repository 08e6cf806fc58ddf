package org.osms.session;

import java.util.Objects;
import org.osms.directory.Identity;
import org.osms.protocol.OtrPublicKey;

/**
 * The authority a command runs under: the identity, locked and checked in the command's transaction, and the key
 * this conversation proved. What a handler asks of the conversation (adopt a newly proven key, end this
 * conversation, end the identity's other conversations) takes effect only once the command's transaction has
 * committed: a command that rolls back changes nothing, not even the conversation.
 */
public final class Caller {
    private final Identity identity;
    private final OtrPublicKey provenKey;
    private final byte[] challenge;
    private OtrPublicKey newlyProvenKey;
    private boolean endThisConversation;
    private boolean endOtherConversations;

    Caller(Identity identity, OtrPublicKey provenKey, byte[] challenge) {
        this.identity = Objects.requireNonNull(identity);
        this.provenKey = Objects.requireNonNull(provenKey);
        this.challenge = challenge.clone();
    }

    /** The caller's identity as of this transaction (its row is locked until the command ends). */
    public Identity identity() {
        return identity;
    }

    public long identityId() {
        return identity.id();
    }

    /** The long-term key this conversation proved (in the handshake, or later by a key replacement). */
    public OtrPublicKey provenKey() {
        return provenKey;
    }

    /** This conversation's random challenge, to which proofs made inside it are bound. */
    public byte[] challenge() {
        return challenge.clone();
    }

    /**
     * The identity's key is now {@code key}, proven inside this conversation: this conversation acts under it from
     * now on, and every other conversation of the identity, proven with the old key, ends.
     */
    public void replacedKeyWith(OtrPublicKey key) {
        this.newlyProvenKey = Objects.requireNonNull(key);
        this.endOtherConversations = true;
    }

    /** The identity can no longer log in (revoked, deleted): this conversation and every other one of it end. */
    public void closedIdentity() {
        this.endThisConversation = true;
        this.endOtherConversations = true;
    }

    OtrPublicKey newlyProvenKey() {
        return newlyProvenKey;
    }

    boolean endsThisConversation() {
        return endThisConversation;
    }

    boolean endsOtherConversations() {
        return endOtherConversations;
    }
}
