package org.osms.session;

import jakarta.json.JsonObject;
import java.util.Objects;
import org.osms.directory.Identity;
import org.osms.protocol.Fingerprint;

/**
 * The authority a command runs under: the identity, locked and checked in the command's transaction, and the key
 * this conversation proved. What a handler asks of the conversation (adopt a newly proven key, end this
 * conversation, end the identity's other conversations) takes effect only once the command's transaction has
 * committed: a command that rolls back changes nothing, not even the conversation.
 */
public final class Caller {
    private final Identity identity;
    private final Fingerprint provenKey;
    private final byte[] challenge;
    private Fingerprint newlyProvenKey;
    private long newEpoch;
    private boolean endThisConversation;
    private boolean endOtherConversations;
    private final boolean mayDefer;
    private final Object prepared;
    private Wakeup wakeup;
    private java.time.Duration maxWait;
    private JsonObject rerun;

    Caller(Identity identity, Fingerprint provenKey, byte[] challenge, boolean mayDefer, Object prepared) {
        this.identity = Objects.requireNonNull(identity);
        this.provenKey = Objects.requireNonNull(provenKey);
        this.challenge = challenge.clone();
        this.mayDefer = mayDefer;
        this.prepared = prepared;
    }

    /** What the handler's {@link CommandHandler#prepare} made of the request before the lock; null if nothing. */
    public Object prepared() {
        return prepared;
    }

    /** The caller's identity as of this transaction (its row is locked until the command ends). */
    public Identity identity() {
        return identity;
    }

    public long identityId() {
        return identity.id();
    }

    /** The fingerprint of the key this conversation proved (in the handshake, or later by a key replacement). */
    public Fingerprint provenKey() {
        return provenKey;
    }

    /** This conversation's random challenge, to which proofs made inside it are bound. */
    public byte[] challenge() {
        return challenge.clone();
    }

    /**
     * The identity as the directory left it after replacing its key with one proven inside this conversation: this
     * conversation acts under that key and the authority epoch the replacement began from now on, and every other
     * conversation of the identity, proven with the old key, ends.
     */
    public void replacedKeyWith(Identity replaced) {
        this.newlyProvenKey = replaced.fingerprint().orElseThrow();
        this.newEpoch = replaced.authorityEpoch();
        this.endOtherConversations = true;
    }

    /** The identity can no longer log in (revoked, deleted): this conversation and every other one of it end. */
    public void closedIdentity() {
        this.endThisConversation = true;
        this.endOtherConversations = true;
    }

    /**
     * Asks for the command to be answered later (a long poll): the handler had nothing to answer yet. The command is
     * run again, with a new authority check, when {@code wakeup} fires or after {@code maxWait}, whichever comes
     * first; the request thread and the conversation are not held meanwhile. Returns false when the command may not
     * wait (it is already the run after a wait): the handler then answers what it has, even if that is nothing.
     * Whatever else the handler did is committed now, so a handler that defers should change nothing.
     *
     * <p>{@code rerun} is the command as it will run again: its name and only the arguments the handler read. The
     * wait keeps it, not the request: members the handler ignores (an array of thousands of numbers, say) would
     * otherwise stay in memory, parsed, for the whole wait, at ten times the size the request had.
     */
    public boolean deferUntil(Wakeup wakeup, java.time.Duration maxWait, JsonObject rerun) {
        if (!mayDefer) {
            return false;
        }
        Objects.requireNonNull(wakeup);
        Objects.requireNonNull(maxWait);
        Objects.requireNonNull(rerun);
        this.wakeup = wakeup;
        this.maxWait = maxWait;
        this.rerun = rerun;
        return true;
    }

    JsonObject rerun() {
        return rerun;
    }

    Wakeup wakeup() {
        return wakeup;
    }

    java.time.Duration maxWait() {
        return maxWait;
    }

    Fingerprint newlyProvenKey() {
        return newlyProvenKey;
    }

    /** The authority epoch of {@link #newlyProvenKey}'s replacement. */
    long newEpoch() {
        return newEpoch;
    }

    boolean endsThisConversation() {
        return endThisConversation;
    }

    boolean endsOtherConversations() {
        return endOtherConversations;
    }
}
