package org.osms.client;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import org.osms.protocol.AuditChain;
import org.osms.protocol.AuditEvent;
import org.osms.protocol.AuditRecord;
import org.osms.protocol.HistoryView;

/**
 * Trust on first use for peers' keys, with the public history as the witness of every change. The first key a peer
 * proves end to end (and the directory publishes) is pinned ({@link PeerPins}). When the peer later proves another
 * key, the client believes it only if the server's public record shows that very change: the whole audit log must
 * recompute ({@link PublicLog}), the peer's history must be the log's entries of the identity that holds the name,
 * that identity must be the one whose key was pinned, and its entries must lead from the pinned key to the new one by
 * key replacements, with no revocation or deletion. Then the new key is pinned, unconfirmed: the conversation goes
 * on, but texts to the peer wait until the user confirms the new key ({@link PeerPins#confirm}). Otherwise the
 * conversation is refused and the old pin stays.
 *
 * <p>What this proves: the server cannot swap a peer's key silently. To pass it off, it has to write the swap into
 * the public, append-only log, where the peer (and anyone auditing) can see it. A server may still show one client a
 * log of its own making, consistent in itself; so the head of every log verified here becomes the client's
 * checkpoint, which every later view must extend, and no text leaves for a changed key before the user has seen the
 * change and confirmed it.
 */
public final class PeerKeyCheck {
    /** What the check concluded; the first four let the conversation go on. */
    public enum Outcome {
        /** No key was pinned for this peer on this server: the proven key is pinned now. */
        FIRST_USE(true),
        /** The pinned key. */
        UNCHANGED(true),
        /**
         * The history shows the peer replacing the pinned key by the proven one: the new key is pinned now,
         * unconfirmed (texts to the peer wait for the user's confirmation).
         */
        ROTATED(true),
        /** The pinned key, which a key change brought and the user has not confirmed yet: texts still wait. */
        UNCONFIRMED(true),
        /** The identity revoked its key: it can no longer log in, and nothing may be accepted as from it. */
        REVOKED(false),
        /** The identity deleted its account. */
        DELETED(false),
        /** The name (or the sender) is now another identity than the one whose key was pinned. */
        OTHER_IDENTITY(false),
        /** The history does not lead from the pinned key to the proven one by key replacements. */
        NO_TRANSITION(false),
        /** The audit log does not recompute, or no longer holds an entry verified before: the record was altered. */
        BROKEN_CHAIN(false),
        /** The history the server gave is not what its verified audit log holds for that identity. */
        HISTORY_MISMATCH(false),
        /** The public record could not be read (unreachable, malformed, dishonest paging). */
        UNAVAILABLE(false);

        private final boolean accepted;

        Outcome(boolean accepted) {
            this.accepted = accepted;
        }

        public boolean accepted() {
            return accepted;
        }

        /** The stable code, for programs and scripts: {@code rotated}, {@code other_identity} … */
        public String code() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * The result for one peer: {@code changedAt} is when the change the outcome is about was recorded (the last key
     * replacement, the revocation, the deletion), if there is one.
     */
    public record Result(Outcome outcome, String peer, String message, Optional<Instant> changedAt) {
        public Result {
            Objects.requireNonNull(outcome, "outcome");
            Objects.requireNonNull(message, "message");
            Objects.requireNonNull(changedAt, "changedAt");
        }

        public boolean accepted() {
            return outcome.accepted();
        }

        /** The conversation goes on, but nothing may be sent to the peer until the user confirms its key. */
        public boolean awaitsConfirmation() {
            return outcome == Outcome.ROTATED || outcome == Outcome.UNCONFIRMED;
        }
    }

    private final PeerPins pins;
    private final PublicLog.Pages pages;
    private Optional<PublicLog.Checkpoint> seen;
    private final Consumer<PublicLog.Checkpoint> keep;

    public PeerKeyCheck(PeerPins pins, PublicLog.Pages pages) {
        this(pins, pages, Optional.empty());
    }

    /**
     * With {@code seen}, the audit log must also still hold the entry this client verified before; each log verified
     * here then becomes the checkpoint, in memory only.
     */
    public PeerKeyCheck(PeerPins pins, PublicLog.Pages pages, Optional<PublicLog.Checkpoint> seen) {
        this(pins, pages, seen, checkpoint -> { });
    }

    /** The same, and {@code keep} stores each new checkpoint (where {@code osms audit} keeps its own). */
    public PeerKeyCheck(PeerPins pins, PublicLog.Pages pages, Optional<PublicLog.Checkpoint> seen,
            Consumer<PublicLog.Checkpoint> keep) {
        this.pins = pins;
        this.pages = pages;
        this.seen = seen;
        this.keep = keep;
    }

    /**
     * {@code peer} proved the key {@code fingerprint} end to end (already checked against the directory and the
     * sender's login), sent by identity {@code identityId}. Pins it on first use or after a verified rotation.
     */
    public Result check(String peer, String fingerprint, long identityId) {
        Optional<PeerPins.Pin> pinned = pins.pinned(peer);
        if (pinned.isEmpty()) {
            pins.pin(peer, new PeerPins.Pin(fingerprint, identityId));
            return result(Outcome.FIRST_USE, peer, "first conversation with " + peer + " on this server: pinned "
                    + "the key " + human(fingerprint), null);
        }
        PeerPins.Pin pin = pinned.get();
        if (pin.fingerprint().equals(fingerprint)) {
            if (pin.identityId() != identityId) {
                return result(Outcome.OTHER_IDENTITY, peer, "the server says the pinned key of " + peer
                        + " now comes from another identity", null);
            }
            if (!pin.confirmed()) {
                return result(Outcome.UNCONFIRMED, peer, peer + " proved its new key " + human(fingerprint)
                        + ", which you have not confirmed yet; " + waitsFor(peer, fingerprint), null);
            }
            return result(Outcome.UNCHANGED, peer, peer + " proved the pinned key", null);
        }
        Result r = verifyChange(peer, pin, fingerprint, identityId);
        if (r.accepted()) {
            pins.pin(peer, new PeerPins.Pin(fingerprint, identityId, false));
        }
        return r;
    }

    /** Whether {@code fingerprint} is pinned for {@code peer} and still waits for the user's confirmation. */
    public boolean awaitsConfirmation(String peer, String fingerprint) {
        return pins.pinned(peer).filter(p -> p.fingerprint().equals(fingerprint) && !p.confirmed()).isPresent();
    }

    private static String waitsFor(String peer, String fingerprint) {
        return "texts to " + peer + " wait until you check it with " + peer + " and confirm it: `osms trust " + peer
                + " " + fingerprint + "`";
    }

    /** Fetches the history, then the whole log (so every history entry is in it), and decides. */
    private Result verifyChange(String peer, PeerPins.Pin pin, String fingerprint, long identityId) {
        HistoryView history;
        List<AuditRecord> verified = new ArrayList<>();
        AuditChain chain;
        try {
            history = PublicLog.history(pages, peer);
            long holder = history.identityId();
            chain = PublicLog.verify(pages, e -> {
                if (e.identityId() == holder) {
                    verified.add(e);
                }
            }, seen);
        } catch (AuditChain.BrokenChainException e) {
            return result(Outcome.BROKEN_CHAIN, peer, "the key of " + peer + " changed, and the server's audit log "
                    + "does not verify (" + e.getMessage() + "): the change cannot be checked", null);
        } catch (OsmsException e) {
            if (e.code().equals("audit_rewritten")) {
                return result(Outcome.BROKEN_CHAIN, peer, "the key of " + peer + " changed, and the server's audit "
                        + "log is not the one this client verified before (" + e.getMessage() + ")", null);
            }
            return result(Outcome.UNAVAILABLE, peer, "the key of " + peer + " changed, and its public history "
                    + "cannot be checked: " + e.getMessage() + " (" + e.code() + ")", null);
        }
        if (chain.lastSeq() > 0) {
            // it holds the entry seen before (or there was none): later views must hold this head in turn
            PublicLog.Checkpoint head = new PublicLog.Checkpoint(chain.lastSeq(), chain.lastHash());
            keep.accept(head);
            seen = Optional.of(head);
        }
        return decide(peer, pin, fingerprint, identityId, history, verified);
    }

    /**
     * The decision, from what was read: {@code history} as the server gave it, {@code verified} the entries of the
     * history's identity in the audit log whose chain recomputed (in log order).
     */
    static Result decide(String peer, PeerPins.Pin pin, String fingerprint, long identityId, HistoryView history,
            List<AuditRecord> verified) {
        if (history.identityId() != pin.identityId()) {
            return result(Outcome.OTHER_IDENTITY, peer, "the name " + peer + " now belongs to another identity than "
                    + "the one whose key you pinned", null);
        }
        if (identityId != pin.identityId()) {
            return result(Outcome.OTHER_IDENTITY, peer, "the server says the messages from " + peer + " come from "
                    + "another identity than the one whose key you pinned", null);
        }
        List<AuditRecord> shown = history.entries();
        if (shown.size() > verified.size() || !verified.subList(0, shown.size()).equals(shown)) {
            // the log was read after the history, so it may hold newer entries; never fewer or different ones
            return result(Outcome.HISTORY_MISMATCH, peer, "the history the server shows for " + peer + " is not "
                    + "what its audit log records", null);
        }
        String current = null;
        boolean heldPinned = false;
        AuditRecord lastReplacement = null;
        for (AuditRecord e : verified) {
            String event = e.event();
            if (event.equals(AuditEvent.KEY_REVOKED.wireName())) {
                return result(Outcome.REVOKED, peer, peer + " revoked its key on " + at(e)
                        + ": nothing from it can be trusted", e);
            }
            if (event.equals(AuditEvent.DELETED.wireName())) {
                return result(Outcome.DELETED, peer, peer + " deleted its account on " + at(e), e);
            }
            boolean registered = event.equals(AuditEvent.REGISTERED.wireName());
            if (registered != (current == null) || e.fingerprintAfter() == null) {
                return inconsistent(peer, e);
            }
            if (event.equals(AuditEvent.KEY_REPLACED.wireName())) {
                if (!current.equals(e.fingerprintBefore()) || current.equals(e.fingerprintAfter())) {
                    return inconsistent(peer, e);
                }
                if (heldPinned) {
                    lastReplacement = e;
                }
            } else if (!registered && !e.fingerprintAfter().equals(current)) {
                return inconsistent(peer, e); // only a key replacement changes the key
            }
            current = e.fingerprintAfter();
            if (current.equals(pin.fingerprint())) {
                heldPinned = true;
                lastReplacement = null; // back to the pinned key (it cannot return, but never assume)
            }
        }
        if (!heldPinned) {
            return result(Outcome.NO_TRANSITION, peer, "the public history of " + peer + " never shows the pinned key "
                    + human(pin.fingerprint()), null);
        }
        if (!fingerprint.equals(current) || lastReplacement == null) {
            return result(Outcome.NO_TRANSITION, peer, "the public history of " + peer + " does not show the change "
                    + "from the pinned key " + human(pin.fingerprint()) + " to " + human(fingerprint), null);
        }
        return result(Outcome.ROTATED, peer, peer + " replaced the key " + human(pin.fingerprint()) + " by "
                + human(fingerprint) + " on " + at(lastReplacement) + " (the audit log verifies); the new key is "
                + "pinned now, and " + waitsFor(peer, fingerprint), lastReplacement);
    }

    private static Result inconsistent(String peer, AuditRecord e) {
        return result(Outcome.NO_TRANSITION, peer, "the public history of " + peer + " is not a consistent sequence "
                + "of keys (audit entry " + e.seq() + ", " + e.event() + ")", null);
    }

    private static Result result(Outcome outcome, String peer, String message, AuditRecord change) {
        return new Result(outcome, peer, message,
                Optional.ofNullable(change).map(e -> Instant.ofEpochMilli(e.recordedAt())));
    }

    private static String at(AuditRecord e) {
        return Instant.ofEpochMilli(e.recordedAt()).toString();
    }

    private static String human(String fingerprint) {
        try {
            return org.osms.protocol.Fingerprint.of(fingerprint).human();
        } catch (RuntimeException notAFingerprint) {
            return "(malformed fingerprint)";
        }
    }
}
