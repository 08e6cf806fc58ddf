package org.osms.session;

import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.osms.protocol.Fingerprint;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.RegistrationPuzzle;
import org.osms.protocol.Username;

/**
 * What a conversation knows about its user. A login conversation knows its identity from the handshake; a
 * registration conversation gets one when {@code register} succeeds.
 */
final class ConversationState {
    /**
     * {@link #identityId()} of a conversation that acts for no identity yet: the directory never issues 0
     * (Directory.newIdentityId). A primitive rather than a boxed Long: one object less per logged-in conversation.
     */
    static final long NO_IDENTITY = 0;

    private final boolean registration;
    /** Needed until the handshake has logged the conversation in; dropped then (memory held per conversation). */
    private Username claimedUser;
    private final byte[] challenge;
    private Fingerprint provenKey;
    private OtrPublicKey registrationKey;
    private long identityId = NO_IDENTITY;
    /** The identity's authority epoch when this conversation logged in or last replaced its key (see Authority). */
    private long authorityEpoch;
    private long lastSeq;
    private int refusedPreparations;
    private boolean ended;
    private boolean identityChanged;
    private RegistrationPuzzle.Difficulty registrationDifficulty;

    /** Whether the registry has ended the conversation, read outside the bean while a request of it still runs. */
    private final BooleanSupplier endedByRegistry;

    ConversationState(Username claimedUser, byte[] challenge, BooleanSupplier endedByRegistry) {
        this.claimedUser = claimedUser;
        this.registration = claimedUser == null;
        this.challenge = challenge.clone();
        this.endedByRegistry = endedByRegistry;
    }

    /**
     * Whether the registry has ended this conversation (displaced, expired, logged out) while one of its requests still
     * runs: the container destroys the bean only once that request returns, so a request that waits for a shared
     * resource gives up when this turns true, rather than hold it, and its thread, for a conversation that is gone.
     */
    boolean abandoned() {
        return endedByRegistry.getAsBoolean();
    }

    /** The account named in OSMS-Username until the login succeeded; empty for a registration conversation. */
    Optional<Username> claimedUser() {
        return Optional.ofNullable(claimedUser);
    }

    /** A registration conversation: no account was named when it opened. */
    boolean isRegistration() {
        return registration;
    }

    byte[] challenge() {
        return challenge.clone();
    }

    /** The fingerprint of the key this conversation proved (in the handshake, or later by a key replacement). */
    Fingerprint provenKey() {
        return provenKey;
    }

    void provenKey(Fingerprint key) {
        this.provenKey = key;
    }

    /**
     * A registration conversation's proven key, validated but for the primality of p and q, which {@code register}
     * tests before it stores the key.
     */
    OtrPublicKey registrationKey() {
        return registrationKey;
    }

    void registrationKey(OtrPublicKey key) {
        this.registrationKey = key;
        this.provenKey = key.fingerprint();
    }

    /** The identity this conversation acts for, or {@link #NO_IDENTITY}. */
    long identityId() {
        return identityId;
    }

    boolean actsForAnIdentity() {
        return identityId != NO_IDENTITY;
    }

    /** The identity's authority epoch this conversation acts under: see {@link Authority}. */
    long authorityEpoch() {
        return authorityEpoch;
    }

    /** A key replacement made in this conversation: it acts under the new key and the epoch that change began. */
    void actsUnder(Fingerprint key, long epoch) {
        this.provenKey = key;
        this.authorityEpoch = epoch;
    }

    void loggedInAs(long id, long epoch) {
        if (id == NO_IDENTITY) {
            throw new IllegalArgumentException("no identity has the id " + NO_IDENTITY);
        }
        this.identityId = id;
        this.authorityEpoch = epoch;
        this.claimedUser = null;
    }

    /** Commands carry strictly increasing sequence numbers: a replayed message is refused before it acts. */
    /** How many of this conversation's commands were refused in their {@link CommandHandler#prepare} work. */
    int refusedPreparations() {
        return refusedPreparations;
    }

    void preparationRefused() {
        refusedPreparations++;
    }

    boolean acceptSeq(long seq) {
        if (seq != lastSeq + 1) {
            return false;
        }
        lastSeq = seq;
        return true;
    }

    long lastSeq() {
        return lastSeq;
    }

    /** A command of this conversation replaced the identity's key or closed it: its other conversations must end. */
    void identityChanged() {
        identityChanged = true;
    }

    /** Reads and clears the flag set by {@link #identityChanged()}. */
    boolean takeIdentityChanged() {
        boolean changed = identityChanged;
        identityChanged = false;
        return changed;
    }

    /** The registration puzzle announced when the handshake completed (registration conversations only). */
    Optional<RegistrationPuzzle.Difficulty> registrationDifficulty() {
        return Optional.ofNullable(registrationDifficulty);
    }

    void registrationDifficulty(RegistrationPuzzle.Difficulty difficulty) {
        this.registrationDifficulty = difficulty;
    }

    void end() {
        ended = true;
    }

    boolean ended() {
        return ended;
    }
}
