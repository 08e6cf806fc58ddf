package org.osms.session;

/**
 * Something a deferred command waits for (docs/protocol.md, "Messaging", long poll): the capability that deferred
 * the command knows when running it again may give another answer (for {@code fetch}: a message arrived).
 */
@FunctionalInterface
public interface Wakeup {
    /**
     * Calls {@code wake} once the awaited event may have happened — at once if it already did since the command
     * looked. Returns what cancels the wait (the command timed out, or was woken some other way).
     */
    Registration onWake(Runnable wake);

    /** Cancels a wait; cancelling twice, or after the wake, does nothing. */
    @FunctionalInterface
    interface Registration {
        void cancel();
    }
}
