package org.osms.directory;

import java.util.Locale;

/** The life cycle of an identity. Revocation and deletion are final; a suspension is undone by reinstatement. */
public enum IdentityStatus {
    /** The key is published in the directory and is the login credential. */
    ACTIVE,
    /** The owner hid the key from {@code GET /user}; it is still the login credential. */
    UNPUBLISHED,
    /** The key was revoked: no more logins; the name stays reserved and the history public. */
    REVOKED,
    /** The account was deleted: the key is gone; the name stays reserved and the history public. */
    DELETED,
    /**
     * An administrator suspended the identity: it cannot log in or receive messages until reinstated, when it
     * returns to the status it had (active or unpublished, remembered by {@link Identity}). Not final.
     */
    SUSPENDED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Only an active or unpublished identity may log in and act (docs/protocol.md, "Authority"). */
    public boolean mayLogIn() {
        return this == ACTIVE || this == UNPUBLISHED;
    }

    public boolean isFinal() {
        return this == REVOKED || this == DELETED;
    }
}
