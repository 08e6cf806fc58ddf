package org.osms.admin;

import java.util.Objects;
import org.osms.directory.IdentityStatus;
import org.osms.protocol.ProtocolException;
import org.osms.protocol.Username;
import org.osms.web.ApiException;

/**
 * The object registered as {@value AdministrationMXBean#OBJECT_NAME}: translates between JMX's open types and the
 * use cases of {@link Administration}. A refusal of a use case (an unknown name, a revoked identity …) becomes an
 * {@link IllegalArgumentException} with the refusal's sentence and code, which every JMX client can show: its own
 * classes would not deserialize in a client that has none of OSMS's.
 */
final class AdministrationConsole implements AdministrationMXBean {
    private final Administration administration;

    AdministrationConsole(Administration administration) {
        this.administration = Objects.requireNonNull(administration);
    }

    @Override
    public long getActiveIdentities() {
        return count(IdentityStatus.ACTIVE);
    }

    @Override
    public long getUnpublishedIdentities() {
        return count(IdentityStatus.UNPUBLISHED);
    }

    @Override
    public long getRevokedIdentities() {
        return count(IdentityStatus.REVOKED);
    }

    @Override
    public long getDeletedIdentities() {
        return count(IdentityStatus.DELETED);
    }

    @Override
    public long getSuspendedIdentities() {
        return count(IdentityStatus.SUSPENDED);
    }

    private long count(IdentityStatus status) {
        return administration.identitiesByStatus().get(status);
    }

    @Override
    public int getLiveConversations() {
        return administration.liveConversations();
    }

    @Override
    public int getHandshakesInProgress() {
        return administration.handshakesInProgress();
    }

    @Override
    public int getRegistrationConversations() {
        return administration.registrationConversations();
    }

    @Override
    public long getMessagesWaiting() {
        return administration.messagesWaiting();
    }

    @Override
    public long getOldestWaitingMessageAgeSeconds() {
        return administration.oldestWaitingMessageAgeSeconds();
    }

    @Override
    public String suspend(String username) {
        return refusalsAsArguments(() -> statusOf(administration.suspend(username(username))));
    }

    @Override
    public String reinstate(String username) {
        return refusalsAsArguments(() -> statusOf(administration.reinstate(username(username))));
    }

    @Override
    public int purgeExpiredMessages() {
        return administration.purgeExpiredMessages();
    }

    @Override
    public String rotateServerKey() {
        Administration.Rotated rotated = administration.rotateServerKey();
        if (rotated.refusal() != null) {
            throw new IllegalArgumentException(rotated.refusal());
        }
        return rotated.fingerprint();
    }

    private static Username username(String raw) {
        if (raw == null) {
            throw new IllegalArgumentException("A username is required.");
        }
        return Username.of(raw);
    }

    private static String statusOf(Administration.Outcome outcome) {
        if (outcome.refusal() != null) {
            throw outcome.refusal();
        }
        return outcome.status().wireName();
    }

    private static <T> T refusalsAsArguments(java.util.function.Supplier<T> operation) {
        try {
            return operation.get();
        } catch (ApiException e) {
            throw new IllegalArgumentException(e.getMessage() + " (" + e.code() + ")");
        } catch (ProtocolException e) {
            throw new IllegalArgumentException(e.getMessage() + " (" + e.code() + ")");
        }
    }
}
