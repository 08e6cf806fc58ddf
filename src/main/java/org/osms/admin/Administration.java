package org.osms.admin;

import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.Map;
import java.util.logging.Logger;
import org.osms.directory.Directory;
import org.osms.directory.Identity;
import org.osms.directory.IdentityStatus;
import org.osms.messaging.Mailboxes;
import org.osms.messaging.RetentionSweeper;
import org.osms.protocol.Username;
import org.osms.serverkey.ServerKey;
import org.osms.session.Admission;
import org.osms.session.ConversationRegistry;
import org.osms.web.ApiException;

/**
 * The administrator's use cases. An enterprise bean so that the JMX threads that call it (the REST connector's,
 * jconsole's through the platform MBeanServer) run it in this application's context, with its persistence unit and
 * transactions. No transaction of its own: each change runs in the transaction of the use case it calls (the
 * directory's, the store's), and what must follow a change — ending conversations — happens after that commit.
 *
 * <p>Operations are logged at INFO without the identity (usernames never reach INFO logs); the public audit log is
 * where a change to an identity is recorded.
 */
@Stateless
@TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
public class Administration {
    private static final Logger LOG = Logger.getLogger(Administration.class.getName());

    @Inject
    Directory directory;

    @Inject
    ConversationRegistry registry;

    @Inject
    Admission admission;

    @Inject
    Mailboxes mailboxes;

    @Inject
    RetentionSweeper sweeper;

    @Inject
    ServerKey serverKey;

    @Inject
    Clock clock;

    /** The figures of {@link AdministrationMXBean}, read now. */
    public Map<IdentityStatus, Long> identitiesByStatus() {
        return directory.countByStatus();
    }

    public int liveConversations() {
        return Math.max(0, registry.live() - admission.held());
    }

    public int handshakesInProgress() {
        return admission.held(Admission.Kind.LOGIN);
    }

    public int registrationConversations() {
        return admission.held(Admission.Kind.REGISTRATION);
    }

    public long messagesWaiting() {
        return mailboxes.waitingCount();
    }

    public long oldestWaitingMessageAgeSeconds() {
        return mailboxes.oldestWaitingReceivedAt().map(at -> Math.max(0, clock.millis() - at) / 1000).orElse(0L);
    }

    /**
     * Suspends the identity (its audit entry in the same transaction), then ends its conversations: once the
     * suspension is committed, any command they still send is refused by the authority rule anyway; ending them
     * frees them at once, as a key replacement does.
     */
    public Outcome suspend(Username username) {
        Identity suspended;
        try {
            suspended = directory.suspend(username);
        } catch (ApiException refused) {
            return Outcome.refused(refused);
        }
        registry.endAllOf(suspended.id());
        LOG.info("An administrator suspended an identity.");
        return Outcome.of(suspended.status());
    }

    public Outcome reinstate(Username username) {
        Identity reinstated;
        try {
            reinstated = directory.reinstate(username);
        } catch (ApiException refused) {
            return Outcome.refused(refused);
        }
        LOG.info("An administrator reinstated an identity.");
        return Outcome.of(reinstated.status());
    }

    /**
     * What an operation on an identity came to: the identity's status after it, or the directory's refusal. A refusal
     * is returned, not thrown: the directory's own transaction has already rolled it back, and an application
     * exception leaving this bean, which runs outside any transaction, would make Liberty roll back its local
     * transaction containment as well and report that as an error with an FFDC incident, for an expected refusal.
     */
    public record Outcome(IdentityStatus status, ApiException refusal) {
        static Outcome of(IdentityStatus status) {
            return new Outcome(status, null);
        }

        static Outcome refused(ApiException refusal) {
            return new Outcome(null, refusal);
        }
    }

    public int purgeExpiredMessages() {
        int deleted = sweeper.purgeNow();
        LOG.info(() -> "An administrator purged expired messages: " + deleted + " deleted.");
        return deleted;
    }

    /**
     * Rotates the server key: the new key's fingerprint (the server's own key: public, not a user's), or the refusal
     * once the history holds as many keys as a client follows. Returned, not thrown, as {@link Outcome}'s refusals.
     */
    public Rotated rotateServerKey() {
        String fingerprint;
        try {
            fingerprint = serverKey.rotate().fingerprint();
        } catch (ServerKey.HistoryFull full) {
            return new Rotated(null, full.getMessage() + " (" + ServerKey.HistoryFull.CODE + ")");
        }
        LOG.info("An administrator rotated the server key.");
        return new Rotated(fingerprint, null);
    }

    /** What a rotation came to: the new key's fingerprint, or the refusal's sentence and code. */
    public record Rotated(String fingerprint, String refusal) {
    }
}
