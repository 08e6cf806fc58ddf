package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osms.protocol.AuditEvent;
import org.osms.protocol.AuditRecord;
import org.osms.protocol.HistoryView;

/**
 * The decision about a peer's changed key, on audit chains built with the project's own {@link AuditRecord}: only a
 * key replacement the verified log shows, by the identity whose key was pinned, is accepted; everything else is
 * refused and leaves every pin as it was.
 */
class PeerKeyCheckTest {
    private static final String SERVER = "http://osms.example.onion";
    private static final long ALICE = 4127390018234411127L;
    private static final long BOB = 77;
    private static final long MALLORY = 666;
    private static final String KEY_A = FakePublicLog.fingerprint('a');
    private static final String KEY_B = FakePublicLog.fingerprint('b');
    private static final String KEY_C = FakePublicLog.fingerprint('c');
    private static final String KEY_M = FakePublicLog.fingerprint('9');

    @TempDir
    Path home;

    private final FakePublicLog log = new FakePublicLog();
    private PeerPins pins;
    private PeerKeyCheck check;
    private String pinsBefore;

    @BeforeEach
    void aliceIsPinnedWithKeyA() throws Exception {
        log.registered(ALICE, "alice", KEY_A);
        log.registered(BOB, "bob", FakePublicLog.fingerprint('d'));
        pins = new PeerPins(home, SERVER);
        pins.pin("alice", new PeerPins.Pin(KEY_A, ALICE));
        pins.pin("bob", new PeerPins.Pin(FakePublicLog.fingerprint('d'), BOB));
        new PeerPins(home, "http://other.example.onion").pin("alice", new PeerPins.Pin(KEY_C, 5));
        pinsBefore = Files.readString(pins.file());
        check = new PeerKeyCheck(pins, log);
    }

    @Test
    void aKeyReplacementInTheVerifiedLogIsAcceptedAsARotationAndRepinned() throws Exception {
        log.renamed(BOB, "bob", "bob2", FakePublicLog.fingerprint('d'));
        AuditRecord replaced = log.replaced(ALICE, "alice", KEY_A, KEY_B);

        PeerKeyCheck.Result r = check.check("alice", KEY_B, ALICE);
        assertEquals(PeerKeyCheck.Outcome.ROTATED, r.outcome());
        assertTrue(r.accepted());
        assertEquals(Optional.of(Instant.ofEpochMilli(replaced.recordedAt())), r.changedAt());
        assertTrue(r.message().contains("replaced the key") && r.message().contains(r.changedAt().get().toString()),
                r.message());
        assertTrue(r.awaitsConfirmation());
        assertTrue(r.message().endsWith("texts to alice wait until you check it with alice and confirm it: "
                + "`osms trust alice " + KEY_B + "`"), r.message());
        assertEquals(Optional.of(new PeerPins.Pin(KEY_B, ALICE, false)), pins.pinned("alice"));
        assertEquals(pinsBefore.replace(SERVER + " alice " + KEY_A + " " + ALICE + "\n", "")
                + SERVER + " alice " + KEY_B + " " + ALICE + " unconfirmed\n", Files.readString(pins.file()),
                "only alice's pin on this server changed");
        assertEquals(1, log.historyPagesServed);
        assertEquals(1, log.auditPagesServed);
    }

    @Test
    void severalReplacementsSinceThePinAreOneRotationAtTheLast() {
        log.replaced(ALICE, "alice", KEY_A, KEY_C);
        AuditRecord last = log.replaced(ALICE, "alice", KEY_C, KEY_B);
        PeerKeyCheck.Result r = check.check("alice", KEY_B, ALICE);
        assertEquals(PeerKeyCheck.Outcome.ROTATED, r.outcome());
        assertEquals(Optional.of(Instant.ofEpochMilli(last.recordedAt())), r.changedAt());
    }

    /** An administrator's suspension and reinstatement change neither name nor key: a rotation across them holds. */
    @Test
    void aSuspensionAndReinstatementAroundAReplacementDoNotBreakTheKeyCheck() {
        log.append(ALICE, AuditEvent.SUSPENDED, "alice", "alice", KEY_A, KEY_A);
        log.append(ALICE, AuditEvent.REINSTATED, "alice", "alice", KEY_A, KEY_A);
        AuditRecord replaced = log.replaced(ALICE, "alice", KEY_A, KEY_B);
        log.append(ALICE, AuditEvent.SUSPENDED, "alice", "alice", KEY_B, KEY_B);
        log.append(ALICE, AuditEvent.REINSTATED, "alice", "alice", KEY_B, KEY_B);

        PeerKeyCheck.Result r = check.check("alice", KEY_B, ALICE);
        assertEquals(PeerKeyCheck.Outcome.ROTATED, r.outcome(), r.message());
        assertEquals(Optional.of(Instant.ofEpochMilli(replaced.recordedAt())), r.changedAt());
        assertEquals(Optional.of(new PeerPins.Pin(KEY_B, ALICE, false)), pins.pinned("alice"));
    }

    @Test
    void aRotatedKeyStaysUnconfirmedUntilTheUserConfirmsIt() throws Exception {
        log.replaced(ALICE, "alice", KEY_A, KEY_B);
        assertEquals(PeerKeyCheck.Outcome.ROTATED, check.check("alice", KEY_B, ALICE).outcome());
        int pagesRead = log.auditPagesServed + log.historyPagesServed;

        PeerKeyCheck.Result again = check.check("alice", KEY_B, ALICE);
        assertEquals(PeerKeyCheck.Outcome.UNCONFIRMED, again.outcome(), again.message());
        assertTrue(again.accepted() && again.awaitsConfirmation());
        assertTrue(again.message().contains("`osms trust alice " + KEY_B + "`"), again.message());
        assertTrue(check.awaitsConfirmation("alice", KEY_B));
        assertEquals(pagesRead, log.auditPagesServed + log.historyPagesServed, "the pinned key: nothing read");

        assertTrue(pins.confirm("alice", KEY_B));
        assertEquals(PeerKeyCheck.Outcome.UNCHANGED, check.check("alice", KEY_B, ALICE).outcome());
        assertTrue(!check.awaitsConfirmation("alice", KEY_B));
        assertTrue(!check.check("alice", KEY_B, ALICE).awaitsConfirmation());
    }

    /**
     * A server that shows this client a log of its own (self-consistent, a rotation in it) must go on showing views
     * that extend it: the head verified at the rotation is the checkpoint from then on, in this check and, kept where
     * {@code keep} puts it, in the next client run.
     */
    @Test
    void theHeadOfEveryVerifiedLogBecomesTheCheckpointLaterViewsMustExtend() throws Exception {
        FakePublicLog forked = new FakePublicLog();
        forked.registered(ALICE, "alice", KEY_A);
        forked.registered(BOB, "bob", FakePublicLog.fingerprint('d'));
        forked.replaced(ALICE, "alice", KEY_A, KEY_M);
        FakePublicLog[] shown = {forked};
        PublicLog.Pages served = new PublicLog.Pages() {
            @Override
            public org.osms.protocol.AuditPage auditPage(long after, int limit) {
                return shown[0].auditPage(after, limit);
            }

            @Override
            public HistoryView historyPage(String username, long after, int limit) {
                return shown[0].historyPage(username, after, limit);
            }
        };
        List<PublicLog.Checkpoint> kept = new java.util.ArrayList<>();
        PeerKeyCheck onFork = new PeerKeyCheck(pins, served, Optional.empty(), kept::add);
        assertEquals(PeerKeyCheck.Outcome.ROTATED, onFork.check("alice", KEY_M, ALICE).outcome());
        assertEquals(1, kept.size());
        assertEquals(3, kept.get(0).seq());
        assertTrue(java.util.Arrays.equals(forked.log.get(2).hash(), kept.get(0).hash()));

        // then the honest log, where alice replaced A by B, then B by C: it does not hold the fork's head
        log.replaced(ALICE, "alice", KEY_A, KEY_B);
        log.replaced(ALICE, "alice", KEY_B, KEY_C);
        pins.pin("alice", new PeerPins.Pin(KEY_B, ALICE));
        shown[0] = log;
        assertEquals(PeerKeyCheck.Outcome.BROKEN_CHAIN, onFork.check("alice", KEY_C, ALICE).outcome());
        assertEquals(PeerKeyCheck.Outcome.BROKEN_CHAIN,
                new PeerKeyCheck(pins, log, Optional.of(kept.get(0))).check("alice", KEY_C, ALICE).outcome(),
                "nor in the next run, which starts from the checkpoint kept");
        assertEquals(PeerKeyCheck.Outcome.ROTATED, new PeerKeyCheck(pins, log).check("alice", KEY_C, ALICE)
                .outcome(), "without the checkpoint, the honest log alone verifies");
        assertEquals(1, kept.size(), "a refused view is no checkpoint");

        // a view that extends the checkpoint is accepted, and its head is kept in turn
        forked.replaced(ALICE, "alice", KEY_M, KEY_C);
        pins.pin("alice", new PeerPins.Pin(KEY_M, ALICE));
        shown[0] = forked;
        assertEquals(PeerKeyCheck.Outcome.ROTATED, onFork.check("alice", KEY_C, ALICE).outcome());
        assertEquals(List.of(3L, 4L), kept.stream().map(PublicLog.Checkpoint::seq).toList());
    }

    @Test
    void thePinnedKeyIsAcceptedWithoutReadingTheLog() throws Exception {
        assertEquals(PeerKeyCheck.Outcome.UNCHANGED, check.check("alice", KEY_A, ALICE).outcome());
        assertEquals(0, log.auditPagesServed + log.historyPagesServed);
        assertEquals(pinsBefore, Files.readString(pins.file()));
    }

    @Test
    void aFirstConversationPinsTheKey() throws Exception {
        log.registered(99, "carol", KEY_C);
        PeerKeyCheck.Result r = check.check("carol", KEY_C, 99);
        assertEquals(PeerKeyCheck.Outcome.FIRST_USE, r.outcome());
        assertEquals(Optional.of(new PeerPins.Pin(KEY_C, 99)), pins.pinned("carol"));
        assertEquals(pinsBefore + SERVER + " carol " + KEY_C + " 99\n", Files.readString(pins.file()));
    }

    @Test
    void aTamperedEntryAnywhereInTheLogIsRefused() throws Exception {
        // the server swaps alice's key to its own and rewrites her registration to match
        AuditRecord registration = log.log.get(0);
        log.tamper(1, new AuditRecord(0, registration.recordedAt(), ALICE, "registered", null, "alice", null, KEY_M,
                null, KEY_M.getBytes(), null, null));
        assertRefused(PeerKeyCheck.Outcome.BROKEN_CHAIN, check.check("alice", KEY_M, ALICE));
    }

    @Test
    void aTamperedEntryOfSomeoneElseStillBreaksTheChain() throws Exception {
        log.replaced(ALICE, "alice", KEY_A, KEY_B);
        AuditRecord bob = log.log.get(1);
        log.tamper(2, new AuditRecord(0, bob.recordedAt() + 1, BOB, "registered", null, "bob", null,
                bob.fingerprintAfter(), null, bob.publicKeyAfter(), null, null));
        assertRefused(PeerKeyCheck.Outcome.BROKEN_CHAIN, check.check("alice", KEY_B, ALICE));
    }

    @Test
    void aRewrittenLogWhoseChainRecomputesIsRefusedWhenItContradictsACheckpoint() throws Exception {
        PublicLog.Checkpoint seen = new PublicLog.Checkpoint(1, log.log.get(0).hash());
        // the server rewrites the log from the start, recomputing every hash: alice "registered" with its key M
        FakePublicLog rewritten = new FakePublicLog();
        rewritten.registered(ALICE, "alice", KEY_M);
        rewritten.registered(BOB, "bob", FakePublicLog.fingerprint('d'));
        new org.osms.protocol.AuditChain().append(rewritten.log); // a valid chain on its own
        PeerKeyCheck.Result r = new PeerKeyCheck(pins, rewritten, Optional.of(seen)).check("alice", KEY_M, ALICE);
        assertRefused(PeerKeyCheck.Outcome.BROKEN_CHAIN, r);
        assertTrue(r.message().contains("not the one this client verified before"), r.message());
    }

    @Test
    void aLogShorterThanTheCheckpointIsRefusedAndALongerOneAccepted() throws Exception {
        log.replaced(ALICE, "alice", KEY_A, KEY_B);
        PublicLog.Checkpoint beyond = new PublicLog.Checkpoint(4, new byte[32]);
        assertRefused(PeerKeyCheck.Outcome.BROKEN_CHAIN,
                new PeerKeyCheck(pins, log, Optional.of(beyond)).check("alice", KEY_B, ALICE));
        PublicLog.Checkpoint second = new PublicLog.Checkpoint(2, log.log.get(1).hash());
        assertEquals(PeerKeyCheck.Outcome.ROTATED,
                new PeerKeyCheck(pins, log, Optional.of(second)).check("alice", KEY_B, ALICE).outcome());
    }

    @Test
    void aRevokedIdentityIsRefusedAndSaysWhen() throws Exception {
        log.replaced(ALICE, "alice", KEY_A, KEY_B);
        AuditRecord revoked = log.revoked(ALICE, "alice", KEY_B);
        PeerKeyCheck.Result r = check.check("alice", KEY_B, ALICE);
        assertRefused(PeerKeyCheck.Outcome.REVOKED, r);
        assertEquals(Optional.of(Instant.ofEpochMilli(revoked.recordedAt())), r.changedAt());
    }

    @Test
    void aDeletedIdentityIsRefused() throws Exception {
        log.deleted(ALICE, "alice", KEY_A);
        assertRefused(PeerKeyCheck.Outcome.DELETED, check.check("alice", KEY_B, ALICE));
    }

    @Test
    void aNameThatMovedToAnotherIdentityIsRefused() throws Exception {
        // the server hands "alice" to mallory's identity (a name stays with its identity forever: a lie)
        log.registered(MALLORY, "mallory", KEY_M);
        log.holders.put("alice", MALLORY);
        PeerKeyCheck.Result r = check.check("alice", KEY_M, MALLORY);
        assertRefused(PeerKeyCheck.Outcome.OTHER_IDENTITY, r);
        assertTrue(r.message().contains("another identity"), r.message());
    }

    @Test
    void messagesFromAnotherIdentityUnderThePinnedNameAreRefused() throws Exception {
        log.replaced(ALICE, "alice", KEY_A, KEY_B);
        assertRefused(PeerKeyCheck.Outcome.OTHER_IDENTITY, check.check("alice", KEY_B, MALLORY));
        assertRefused(PeerKeyCheck.Outcome.OTHER_IDENTITY, check.check("alice", KEY_A, MALLORY));
    }

    @Test
    void aKeyTheHistoryDoesNotLeadToIsRefused() throws Exception {
        log.replaced(ALICE, "alice", KEY_A, KEY_B);
        PeerKeyCheck.Result r = check.check("alice", KEY_C, ALICE);
        assertRefused(PeerKeyCheck.Outcome.NO_TRANSITION, r);
    }

    @Test
    void aKeyChangeWithoutAKeyReplacementIsRefused() throws Exception {
        // a rename entry that also changes the key: the chain verifies, but no legitimate event did it
        log.append(ALICE, org.osms.protocol.AuditEvent.RENAMED, "alice", "alice", KEY_A, KEY_B);
        assertRefused(PeerKeyCheck.Outcome.NO_TRANSITION, check.check("alice", KEY_B, ALICE));
    }

    @Test
    void aHistoryThatIsNotTheLogsIsRefused() throws Exception {
        log.replaced(ALICE, "alice", KEY_A, KEY_B);
        List<AuditRecord> honest = log.entriesOf(ALICE);
        PublicLog.Pages lying = new PublicLog.Pages() {
            @Override
            public org.osms.protocol.AuditPage auditPage(long after, int limit) {
                return log.auditPage(after, limit);
            }

            @Override
            public HistoryView historyPage(String username, long after, int limit) {
                // hides the registration: a history that begins with the replacement
                return new HistoryView(username, ALICE, honest.subList(1, 2), null);
            }
        };
        assertRefused(PeerKeyCheck.Outcome.HISTORY_MISMATCH, new PeerKeyCheck(pins, lying).check("alice", KEY_B,
                ALICE));
    }

    @Test
    void anUnreadableHistoryIsRefused() throws Exception {
        log.holders.remove("alice");
        PeerKeyCheck.Result r = check.check("alice", KEY_B, ALICE);
        assertRefused(PeerKeyCheck.Outcome.UNAVAILABLE, r);
        assertTrue(r.message().contains("unknown_user"), r.message());
    }

    private void assertRefused(PeerKeyCheck.Outcome expected, PeerKeyCheck.Result r) throws Exception {
        assertEquals(expected, r.outcome(), r.message());
        assertTrue(!r.accepted());
        assertEquals(Optional.of(new PeerPins.Pin(KEY_A, ALICE)), pins.pinned("alice"), "the old pin stays");
        assertEquals(pinsBefore, Files.readString(pins.file()), "no pin changed");
    }
}
