package org.osms.session;

import jakarta.ejb.ApplicationException;
import jakarta.ejb.Stateless;
import jakarta.ejb.TransactionAttribute;
import jakarta.ejb.TransactionAttributeType;
import jakarta.inject.Inject;
import java.util.function.Consumer;
import org.osms.directory.Directory;
import org.osms.directory.Identity;
import org.osms.persistence.CommitPoint;
import org.osms.protocol.Fingerprint;

/**
 * The rule every command obeys (docs/protocol.md, "Authority"): a conversation may act for its identity only while
 * the key it proved is the identity's current key and the identity may log in, and nothing that ends the identity's
 * conversations and can be undone (a key replacement, a suspension) happened since it logged in or last replaced the
 * key itself: the identity's authority epoch is the one it acts under. The epoch is how a server sees such a change
 * made through another server on the same database, even one undone since (a suspension lifted, a key replaced
 * back).
 * The check and the command run in one transaction, with the identity's row locked from the check to the commit
 * (unless the command changes nothing: then the row is read again after the command): a command racing a key
 * replacement, revocation or deletion either runs entirely before that change or is refused; it is never applied,
 * nor answered, under a key that is no longer current.
 *
 * <p>A stateless bean with a container-managed transaction, like {@link Directory}: refusals are application
 * exceptions (ApiException, Lost, and ProtocolException by WEB-INF/ejb-jar.xml) that roll the command back and reach
 * the caller as they are, without being logged as failures.
 */
@Stateless
public class Authority {
    @Inject
    Directory directory;

    /** Thrown when the conversation's key is no longer the identity's current key, or the identity cannot log in. */
    @ApplicationException(rollback = true)
    public static final class Lost extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Lost() {
            super(null, null, false, false);
        }
    }

    /**
     * Checks the caller's authority and runs {@code command} in the same transaction; throws {@link Lost}. The
     * identity's row is locked until the commit unless {@code changesNothing} (see {@link CommandHandler}). A command
     * that changes something ends by reaching {@code commitPoint}: a failure after that came from the commit, and the
     * command may have been done.
     */
    @TransactionAttribute(TransactionAttributeType.REQUIRED)
    public void run(long identityId, Fingerprint provenKey, long epoch, byte[] challenge, boolean mayDefer,
                    boolean changesNothing, Object prepared, CommitPoint commitPoint, Consumer<Caller> command) {
        Identity identity = (changesNothing ? directory.find(identityId) : directory.lockForCommand(identityId))
                .orElseThrow(Lost::new);
        if (!mayAct(identity, provenKey, epoch)) {
            throw new Lost();
        }
        command.accept(new Caller(identity, provenKey, challenge, mayDefer, prepared));
        if (changesNothing) {
            // Without the lock, a change of the key or status could commit while the command read (messages that
            // arrived after a replace-key, say, would reach the old key): read the identity again, so that all the
            // command read was read while the key was still current, or its answer is not given.
            if (directory.readAgain(identityId).filter(again -> mayAct(again, provenKey, epoch)).isEmpty()) {
                throw new Lost();
            }
        } else {
            commitPoint.reach();
        }
    }

    /**
     * Whether the conversation may still act, read without a lock or transaction: checked before a command's
     * {@link CommandHandler#prepare} work, so that a conversation whose key is no longer current does none of it.
     * The command's own check, under the lock, decides.
     */
    @TransactionAttribute(TransactionAttributeType.NOT_SUPPORTED)
    public boolean mayStillAct(long identityId, Fingerprint provenKey, long epoch) {
        return directory.find(identityId).filter(identity -> mayAct(identity, provenKey, epoch)).isPresent();
    }

    /**
     * True when {@code provenKey} is the identity's current key, the identity may log in, and its authority epoch is
     * still {@code epoch}. With every server counting, a matching epoch implies the key and a status that may log in,
     * except after a revocation or deletion (final, not counted); the key's check stays as the guard against a
     * writer that does not count (a server of before schema version 6).
     */
    public static boolean mayAct(Identity identity, Fingerprint provenKey, long epoch) {
        return identity.status().mayLogIn() && identity.authorityEpoch() == epoch
                && identity.fingerprint().filter(provenKey::equals).isPresent();
    }
}
