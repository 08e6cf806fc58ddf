package org.osms.session;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.osms.directory.Directory;
import org.osms.directory.Identity;
import org.osms.protocol.Fingerprint;
import org.osms.protocol.Username;
import org.osms.web.ApiException;

/**
 * The seed's login rule: the key proven in the handshake must be the key on file for the account. One shared bean
 * rather than a field of every conversation: a stateless EJB injected into a stateful one costs each conversation its
 * own CDI proxy of the EJB, a creational context and serialisable injection-point holders (about half a kilobyte per
 * held conversation), while an application-scoped bean is one shared proxy.
 */
@ApplicationScoped
public class Logins {
    @Inject
    Directory directory;

    /** Null when {@code claimed} may log in with the proven key, the refusal otherwise; records the identity. */
    ApiException logIn(Username claimed, Fingerprint proven, ConversationState state) {
        Identity identity = directory.lookUp(claimed).orElse(null); // read-only, outside any transaction
        ApiException refusal = refusal(identity, proven);
        if (refusal == null) {
            state.loggedInAs(identity.id(), identity.authorityEpoch());
        }
        return refusal;
    }

    /**
     * The same rule for a conversation already logged in to {@code identityId}, read again: for a login that may have
     * raced a change closing its identity or replacing its key (see {@link ConversationRegistry#closings}).
     */
    ApiException stillMayLogIn(long identityId, Fingerprint proven) {
        return refusal(directory.find(identityId).orElse(null), proven);
    }

    private static ApiException refusal(Identity identity, Fingerprint proven) {
        if (identity == null) {
            return SessionException.loginRefused("unknown_user", "No identity holds this username.");
        }
        if (!identity.status().mayLogIn()) {
            return SessionException.loginRefused("identity_" + identity.status().wireName(),
                    "This identity is " + identity.status().wireName() + " and cannot log in.");
        }
        if (identity.fingerprint().filter(proven::equals).isEmpty()) {
            return SessionException.loginRefused("key_mismatch",
                    "The key proven in the handshake is not this account's key.");
        }
        return null;
    }
}
