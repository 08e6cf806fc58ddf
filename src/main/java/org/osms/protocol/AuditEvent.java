package org.osms.protocol;

import java.util.Locale;

/** What happened to an identity; the lowercase name is what the audit log records. */
public enum AuditEvent {
    REGISTERED,
    KEY_REPLACED,
    KEY_PUBLISHED,
    KEY_UNPUBLISHED,
    KEY_REVOKED,
    RENAMED,
    DELETED,
    /** An administrator suspended the identity (no logins until reinstated); name and key unchanged. */
    SUSPENDED,
    /** An administrator ended the suspension: the identity has the status it had before it again. */
    REINSTATED;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
