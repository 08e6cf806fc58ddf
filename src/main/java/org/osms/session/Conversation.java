package org.osms.session;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.PreDestroy;
import jakarta.ejb.AccessTimeout;
import jakarta.ejb.Remove;
import jakarta.ejb.Stateful;
import jakarta.ejb.StatefulTimeout;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.enterprise.inject.Vetoed;
import jakarta.inject.Inject;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.osms.otr.OtrConversation;
import org.osms.otr.OtrFailure;
import org.osms.protocol.Fingerprint;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.ProtocolException;
import org.osms.protocol.RegistrationPuzzle;
import org.osms.protocol.Username;
import org.osms.serverkey.ServerKey;
import org.osms.web.ApiException;

/**
 * One OTR conversation with one client: the server is the OTR responder. The container serialises calls to a
 * stateful bean, which is exactly what otr4j's session needs (it is not thread-safe). Business methods never throw:
 * a runtime exception would make the container discard the bean; they return a {@link Step} instead.
 *
 * <p>The registry ends idle conversations itself (OSMS_SESSION_IDLE_TIMEOUT, at most 10 minutes); the container's
 * @StatefulTimeout of 15 minutes is the outer bound should the registry ever miss one.
 *
 * <p>No container transaction: each directory change runs in its own transaction (the directory's), so a refused
 * command rolls back alone and the conversation survives it.
 *
 * <p>Not a CDI bean (@Vetoed): the registry gets each instance from the EJB container by name, never from CDI, so
 * CDI's bean, interceptor chain and creational context per instance would be memory held by every conversation for
 * nothing. The container still injects the fields below (EJB injection: Liberty resolves @Inject points of an
 * enterprise bean through CDI whether or not CDI manages the bean itself). What CDI still keeps per instance, a
 * creational context and Weld's session bean interceptors, Liberty adds to every enterprise bean of a CDI-enabled
 * module, with or without injection points.
 */
@Vetoed
@Stateful
@StatefulTimeout(value = 15, unit = TimeUnit.MINUTES)
@AccessTimeout(value = 30, unit = TimeUnit.SECONDS)
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class Conversation {
    private static final AtomicInteger LIVE = new AtomicInteger();

    @Inject
    ServerKey serverKey;

    /** Not the Directory itself: see {@link Logins}. */
    @Inject
    Logins logins;

    @Inject
    Commands commands;

    private OtrConversation otr;
    private ConversationState state;

    /**
     * What one call produced: messages for the client, and a refusal when the call was not accepted. {@code ended}:
     * the conversation is over (its identity was closed, or it lost its authority). {@code identity}: the identity
     * it acts for after this call, if any. {@code endOthers}: this call replaced the identity's key or closed it, so
     * every other conversation of that identity must end now.
     */
    public record Step(List<String> messages, boolean encrypted, ApiException refusal, boolean ended, Long identity,
                       boolean endOthers, Commands.Deferred deferred) {
        Step(List<String> messages, boolean encrypted, ApiException refusal, boolean ended, Long identity,
             boolean endOthers) {
            this(messages, encrypted, refusal, ended, identity, endOthers, null);
        }

        static Step refused(ApiException e) {
            return new Step(List.of(), false, e, false, null, false);
        }

        static Step lostAuthority(ApiException e) {
            return new Step(List.of(), false, e, true, null, false);
        }

        /** The command will be answered later ({@link #resume}); nothing to send now. */
        static Step deferred(Commands.Deferred d) {
            return new Step(List.of(), true, null, false, null, false, d);
        }
    }

    /** Conversation beans alive in this server right now (created and not yet destroyed by the container). */
    public static int liveBeans() {
        return LIVE.get();
    }

    @PostConstruct
    void created() {
        LIVE.incrementAndGet();
    }

    @PreDestroy
    void destroyed() {
        LIVE.decrementAndGet();
    }

    /**
     * Opens the conversation; {@code challenge}: 32 random bytes, this conversation's own (the registry's random);
     * {@code endedByRegistry}: whether the registry has ended it since ({@link ConversationState#abandoned}).
     */
    public void open(Username claimedUser, byte[] challenge, BooleanSupplier endedByRegistry) {
        this.state = new ConversationState(claimedUser, challenge, endedByRegistry);
        this.otr = new OtrConversation("osms", "client", serverKey.keyPair());
    }

    /**
     * Handshake messages of one conversation that the server answers, at most, before the one that completes it: an
     * OTR v3 handshake needs two (the query or D-H Commit, then the D-H Key), and each may be sent once more after an
     * answer was lost. Every answer costs the server a D-H exponentiation or a signature; without a bound, one
     * admitted conversation could ask for them for as long as its handshake may last.
     */
    static final int MAX_ANSWERED_HANDSHAKE_MESSAGES = 4;

    /** The handshake messages this conversation has answered so far. */
    private int answeredHandshakeMessages;

    /** One step of the OTR handshake ({@code POST /create_session}). */
    public Step handshake(String message) {
        if (otr.isEncrypted() || otr.isFinished()) {
            return Step.refused(SessionException.alreadyEncrypted());
        }
        // The message that completes the handshake or fails it: it costs the server a DSA signature check (and a
        // Reveal Signature a D-H exponentiation), so one that fails ends the conversation (403 ends it).
        boolean signature = OtrConversation.isSignatureMessage(message);
        if (!signature && answeredHandshakeMessages >= MAX_ANSWERED_HANDSHAKE_MESSAGES) {
            return Step.refused(SessionException.handshakeFailed("The handshake has had more messages than OTR needs;"
                    + " start a new conversation."));
        }
        OtrConversation.Received received;
        try {
            received = otr.receive(message);
        } catch (OtrFailure e) {
            return Step.refused(signature ? SessionException.handshakeFailed(e.getMessage())
                    : SessionException.badOtr(e.getMessage()));
        }
        if (!otr.isEncrypted()) {
            if (signature) {
                return Step.refused(SessionException.handshakeFailed(
                        "The signature message did not complete the OTR handshake."));
            }
            if (received.replies().isEmpty()) {
                // Every handshake message but the last gets an answer; silence means it led nowhere (for instance
                // a query offering only OTR versions 1 or 2, which OSMS does not speak).
                return Step.refused(SessionException.badOtr(
                        "The message does not advance an OTR version 3 handshake."));
            }
            answeredHandshakeMessages++;
            return new Step(received.replies(), false, null, false, null, false);
        }
        // A registration's key is validated once, before register stores it: all but the primality of p and q
        // here, and those (a third of a second for a 3072-bit p) once register's puzzle is solved, so that a
        // handshake costs the server no primality test. A login's key is only compared with the stored key,
        // validated when it was stored: equal fingerprints are equal keys.
        Fingerprint proven;
        if (state.isRegistration()) {
            OtrPublicKey key;
            try {
                key = otr.remoteKeyUnproven().orElse(null);
            } catch (ProtocolException e) {
                // otr4j completes a handshake with keys OSMS refuses (a 768-bit DSA key, say): the conversation ends
                return Step.refused(new ApiException(403, e.code(), e.getMessage()));
            }
            if (key == null) {
                return Step.refused(SessionException.badOtr("The handshake proved no key."));
            }
            state.registrationKey(key);
            proven = key.fingerprint();
        } else {
            proven = otr.remoteFingerprint().orElse(null);
            if (proven == null) {
                return Step.refused(SessionException.badOtr("The handshake proved no key."));
            }
            state.provenKey(proven);
        }
        ApiException refusal = login(proven);
        if (refusal != null) {
            return Step.refused(refusal);
        }
        return new Step(received.replies(), true, null, false, identity(), false);
    }

    /**
     * The login rule once more for a conversation that logged in, or null for one that may go on: see
     * {@link ConversationRegistry#closings}. A registration conversation, which proved no identity's key, may.
     */
    public ApiException recheckLogin() {
        if (state.isRegistration() || !state.actsForAnIdentity()) {
            return null;
        }
        return logins.stillMayLogIn(state.identityId(), state.provenKey());
    }

    /** The identity the conversation acts for, for its {@link Step}. */
    private Long identity() {
        return state.actsForAnIdentity() ? state.identityId() : null;
    }

    /** The seed's rule ({@link Logins}); a registration conversation only may {@code register}. */
    private ApiException login(Fingerprint proven) {
        return state.isRegistration() ? null : logins.logIn(state.claimedUser().orElseThrow(), proven, state);
    }

    /** One authenticated command ({@code POST /session}): an OTR data message in, an OTR data message out. */
    public Step command(String message) {
        if (!otr.isEncrypted()) {
            return Step.refused(SessionException.notEncrypted());
        }
        if (!OtrConversation.isDataMessage(message)) {
            // a query or an AKE message would start a new handshake inside otr4j, under whatever key it proves
            return Step.refused(SessionException.badOtr("An encrypted conversation carries OTR data messages only."));
        }
        String plaintext;
        try {
            plaintext = otr.receive(message).plaintext().orElse(null);
        } catch (OtrFailure e) {
            return Step.refused(SessionException.badOtr(e.getMessage()));
        }
        if (otr.isFinished()) {
            // the client's disconnect sent here rather than to /terminate_session: the conversation is over
            return new Step(List.of(), false, null, true, null, false);
        }
        if (plaintext == null) {
            return Step.refused(SessionException.badOtr("The OTR message carried no command."));
        }
        return answer(commands.execute(state, plaintext));
    }

    /**
     * Runs a deferred command once more and encrypts its reply (the long poll's wake-up or timeout). The bean is
     * called only now: while the command waited, the conversation was free for its other requests and a logout.
     */
    public Step resume(Commands.Deferred deferred) {
        if (otr == null || !otr.isEncrypted()) {
            return Step.lostAuthority(SessionException.unknownSession());
        }
        return answer(commands.resume(state, deferred));
    }

    private Step answer(Commands.Outcome outcome) {
        if (outcome.deferred() != null) {
            return Step.deferred(outcome.deferred());
        }
        if (outcome.authorityLost()) {
            return Step.lostAuthority(outcome.refusal());
        }
        if (outcome.refusal() != null) {
            return Step.refused(outcome.refusal());
        }
        try {
            return new Step(otr.send(outcome.reply()), true, null, state.ended(), identity(),
                    state.takeIdentityChanged());
        } catch (OtrFailure e) {
            return Step.refused(SessionException.badOtr(e.getMessage()));
        }
    }

    /**
     * Reads the client's disconnect message ({@code POST /terminate_session}); true when it ended the conversation.
     * A disconnect is a data message of an encrypted conversation: anything else, and anything before the handshake
     * completed, is refused without reaching otr4j, which would otherwise go on with a handshake here (a signature
     * check for every message, and a handshake completed without the login's rules).
     */
    public boolean acceptsTermination(String message) {
        if (!otr.isEncrypted() || !OtrConversation.isDataMessage(message)) {
            return false;
        }
        try {
            otr.receive(message);
        } catch (OtrFailure e) {
            return otr.isFinished();
        }
        return otr.isFinished();
    }

    public byte[] challenge() {
        return state.challenge();
    }

    public boolean isRegistration() {
        return state.isRegistration();
    }

    /** Sets the registration puzzle this conversation's {@code register} must solve (announced by the caller). */
    public void announceRegistrationPuzzle(RegistrationPuzzle.Difficulty difficulty) {
        state.registrationDifficulty(difficulty);
    }

    public boolean isLoggedIn() {
        return state.actsForAnIdentity();
    }

    /** Ends the conversation: the container destroys this bean. */
    @Remove
    public void end() {
        otr = null;
        state = null;
    }
}
