package org.osms.admin;

/**
 * The administration MXBean, registered as {@value #OBJECT_NAME}. Open types only (numbers and strings), so a JMX
 * client (jconsole, Liberty's REST connector) needs no OSMS classes. A refused operation throws
 * {@link IllegalArgumentException} with a sentence saying why, and changes nothing.
 *
 * <p>The figures are read when asked, each with one count query: nothing is cached, and nothing is read into memory.
 */
public interface AdministrationMXBean {
    String OBJECT_NAME = "org.osms:type=Administration";

    /** Identities whose key is published. */
    long getActiveIdentities();

    /** Identities whose owner hid their key (they still log in). */
    long getUnpublishedIdentities();

    long getRevokedIdentities();

    long getDeletedIdentities();

    /** Identities an administrator suspended and has not reinstated yet. */
    long getSuspendedIdentities();

    /** Logged-in conversations (handshakes and registration conversations not counted). */
    int getLiveConversations();

    /** Login conversations whose handshake is not complete yet. */
    int getHandshakesInProgress();

    /** Registration conversations that have not registered yet (their handshake complete or not). */
    int getRegistrationConversations();

    /** Messages waiting in all mailboxes. */
    long getMessagesWaiting();

    /** How long the oldest waiting message has waited, in whole seconds; 0 when no message waits. */
    long getOldestWaitingMessageAgeSeconds();

    /**
     * Suspends the identity holding {@code username}: it can no longer log in ({@code 403 identity_suspended}), every
     * live conversation of it ends at once, messages to it are refused; the audit log records {@code suspended}.
     * Refused for an unknown name, a revoked or deleted identity, and one already suspended. Returns its status now,
     * {@code suspended}.
     */
    String suspend(String username);

    /**
     * Ends the suspension of the identity holding {@code username}: it has exactly the status it had before
     * ({@code active} or {@code unpublished}), which is returned; the audit log records {@code reinstated}. Refused
     * for an identity that is not suspended.
     */
    String reinstate(String username);

    /** Runs the retention purge now: deletes the messages older than the retention; returns how many. */
    int purgeExpiredMessages();

    /**
     * Replaces the server's OTR key by a new one, signed over by the old one in {@code GET /pk/history}; returns the
     * new key's fingerprint. New conversations use the new key; conversations begun before keep theirs until they
     * end.
     */
    String rotateServerKey();
}
