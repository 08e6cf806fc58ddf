package org.osms.client;

import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import org.osms.protocol.Fingerprint;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.ServerKeyHandover;
import org.osms.protocol.ServerKeyRecord;

/**
 * Trust on first use for the server's key, with the server's key history as the only way to move on
 * (docs/protocol.md, "GET /pk/history"). The first key seen is pinned. A different key later is accepted only when the
 * server's public key history leads from the pinned key to it by handovers that each key signed, the old one first:
 * only the holder of the pinned key can hand over to a new one. Otherwise everything is refused, as before: someone
 * who merely intercepts the connection has no such history to show.
 */
public final class ServerKeyCheck {
    /** What the check concluded. */
    public enum Outcome {
        /** No key was pinned for this server: the current key is pinned now. */
        FIRST_USE(true),
        /** The pinned key. */
        UNCHANGED(true),
        /** The history proves the handover from the pinned key: the current key is pinned now. */
        ROTATED(true),
        /** Another key, and no signed handover to it from the pinned key. */
        CHANGED(false);

        private final boolean accepted;

        Outcome(boolean accepted) {
            this.accepted = accepted;
        }

        public boolean accepted() {
            return accepted;
        }
    }

    /** The outcome and a sentence for the user. */
    public record Result(Outcome outcome, String message) {
        public boolean accepted() {
            return outcome.accepted();
        }
    }

    private ServerKeyCheck() {
    }

    /**
     * {@code current} is the key of {@code GET /pk}; {@code history} reads {@code GET /pk/history}, and is asked only
     * when the key is not the pinned one.
     */
    public static Result check(Optional<String> pinned, OtrPublicKey current,
                               Supplier<List<ServerKeyRecord>> history) {
        Fingerprint now = current.fingerprint();
        if (pinned.isEmpty()) {
            return new Result(Outcome.FIRST_USE, "first contact with this server; pinned its key " + now.human());
        }
        if (pinned.get().equals(now.hex())) {
            return new Result(Outcome.UNCHANGED, "the pinned key");
        }
        Fingerprint old;
        try {
            old = Fingerprint.of(pinned.get());
        } catch (RuntimeException damaged) {
            return new Result(Outcome.CHANGED, "the pinned key is not a fingerprint");
        }
        try {
            List<ServerKeyRecord> handovers = ServerKeyHandover.follow(history.get(), old, now);
            return new Result(Outcome.ROTATED, "the server rotated its key from " + old.human() + " to "
                    + now.human() + " in " + (handovers.size() - 1) + " signed handover(s) (GET /pk/history "
                    + "verifies); the new key is pinned now");
        } catch (ServerKeyHandover.BrokenHandover e) {
            return new Result(Outcome.CHANGED, "the server key changed from " + old.human() + " to " + now.human()
                    + ", and its key history does not prove the change: " + e.getMessage());
        } catch (OsmsException e) {
            return new Result(Outcome.CHANGED, "the server key changed from " + old.human() + " to " + now.human()
                    + ", and its key history cannot be read: " + e.getMessage() + " (" + e.code() + ")");
        }
    }
}
