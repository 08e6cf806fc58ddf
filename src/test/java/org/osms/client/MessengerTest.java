package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osms.otr.OtrConversation;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/**
 * The messenger with its pins and outbox on disk, against a {@link FakeServer}: each "client process" is a new
 * {@link Messenger} over the same home directory, and the OTR conversations between them are real.
 */
class MessengerTest {
    private static final long ALICE_ID = 11;
    private static final long BOB_ID = 22;
    private static final KeyPair ALICE = KeyStoreFiles.generate();
    private static final KeyPair BOB = KeyStoreFiles.generate();
    private static final long CAROL_ID = 33;
    private static final KeyPair CAROL = KeyStoreFiles.generate();

    @TempDir
    Path dir;

    private FakeServer server;
    private Path aliceHome;
    private Path bobHome;

    @BeforeEach
    void aliceAndBobAreRegistered() throws Exception {
        server = new FakeServer();
        server.register("alice", ALICE_ID, ALICE);
        server.register("bob", BOB_ID, BOB);
        aliceHome = dir.resolve("alice");
        bobHome = dir.resolve("bob");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private String url() {
        return server.uri().toString();
    }

    private OsmsClient.Session login(String name, KeyPair key) {
        return new OsmsClient(server.uri()).login(Username.of(name), key, server.serverKey());
    }

    /**
     * A command refused busy inside the channel did nothing and is sent again, each time with the next seq: twice at
     * most, then the refusal is the caller's.
     */
    @Test
    void aCommandRefusedBusyIsSentAgainTwiceAtMost() {
        OsmsClient.Session alice = login("alice", ALICE);
        server.busyCommands = 2;
        assertEquals("bob", alice.sendTo("bob", "?OTRv3?").getString("to"));
        assertEquals(List.of("send", "send", "send"), server.commands);
        assertEquals(1, server.mailbox("bob").size(), "stored once");
        server.commands.clear();
        server.busyCommands = 3;
        OsmsException busy = assertThrows(OsmsException.class, () -> alice.sendTo("bob", "?OTRv3?"));
        assertEquals("busy", busy.code());
        assertEquals(List.of("send", "send", "send"), server.commands);
        assertEquals(1, server.mailbox("bob").size());
        alice.logout();
    }

    /**
     * A command answered unknown_outcome may have been done (here it was: the message is stored), so it is not sent
     * again: the caller gets the error, and one copy is stored.
     */
    @Test
    void aCommandAnsweredUnknownOutcomeIsNotSentAgain() {
        OsmsClient.Session alice = login("alice", ALICE);
        server.doneButUnknownOutcome = true;
        OsmsException unknown = assertThrows(OsmsException.class, () -> alice.sendTo("bob", "?OTRv3?"));
        assertEquals("unknown_outcome", unknown.code());
        assertEquals(List.of("send"), server.commands);
        assertEquals(1, server.mailbox("bob").size(), "stored once");
        assertEquals("bob", alice.sendTo("bob", "?OTRv3?").getString("to"), "the conversation goes on");
        alice.logout();
    }

    private Messenger process(String name, KeyPair key, Path home) {
        OsmsClient client = new OsmsClient(server.uri());
        OsmsClient.Session session = login(name, key);
        Messenger m = new Messenger(client, session, key, new PeerKeyCheck(new PeerPins(home, url()), client),
                Outbox.in(home, url()));
        session.logout();
        return m;
    }

    private List<Messenger.Event> online(String name, KeyPair key, Messenger m) {
        m.resume(login(name, key));
        try {
            return m.poll(0);
        } finally {
            m.session().logout();
        }
    }

    private static List<String> summary(List<Messenger.Event> events) {
        return events.stream().map(e -> e.refused() ? "refused: " + (e.keyCheck() == null ? e.problem() : e.keyCheck().outcome().code())
                : e.keyCheck() != null ? e.keyCheck().outcome().code() : "text: " + e.text()).toList();
    }

    /** Rounds of bob then alice online, as long as it takes an AKE through the mailboxes; bob's events. */
    private List<Messenger.Event> rounds(Messenger bob, KeyPair bobKey, Messenger alice, KeyPair aliceKey) {
        List<Messenger.Event> atBob = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            atBob.addAll(online("bob", bobKey, bob));
            online("alice", aliceKey, alice);
        }
        atBob.addAll(online("bob", bobKey, bob));
        return atBob;
    }

    private void send(Messenger m, String name, KeyPair key, String text) {
        m.resume(login(name, key));
        assertFalse(m.send("bob", text), "not authenticated yet: it waits");
        m.session().logout();
    }

    @Test
    void textsWrittenBeforeARestartLeaveAfterItOnceEachInOrder() {
        Messenger before = process("alice", ALICE, aliceHome);
        send(before, "alice", ALICE, "one");
        send(before, "alice", ALICE, "two");
        assertEquals(1, server.mailbox("bob").size(), "one query, however many texts");

        Messenger bm = process("bob", BOB, bobHome);
        List<Messenger.Event> atBob = new ArrayList<>(online("bob", BOB, bm));
        Messenger restarted = process("alice", ALICE, aliceHome);
        assertEquals(List.of("one", "two"), restarted.queued("bob"));
        for (int round = 0; round < 4; round++) {
            online("alice", ALICE, restarted);
            atBob.addAll(online("bob", BOB, bm));
        }
        assertEquals(List.of("first_use", "text: one", "text: two"), summary(atBob));
        assertEquals(List.of(), Outbox.in(aliceHome, url()).all());

        // refused by the server: the text stays, and leaves first with the next send that goes through
        server.refusing.add("bob");
        restarted.resume(login("alice", ALICE));
        assertEquals("no_such_recipient",
                assertThrows(OsmsException.class, () -> restarted.send("bob", "refused")).code());
        assertEquals(List.of("refused"), Outbox.in(aliceHome, url()).waiting("bob").stream()
                .map(Outbox.Entry::text).toList());
        server.refusing.clear();
        assertTrue(restarted.send("bob", "later"));
        restarted.session().logout();
        assertEquals(List.of(), Outbox.in(aliceHome, url()).all());
        assertEquals(List.of("text: refused", "text: later"), summary(online("bob", BOB, bm)));

        // alice restarts once more while bob's conversation is still encrypted: her new query starts over
        Messenger again = process("alice", ALICE, aliceHome);
        send(again, "alice", ALICE, "after restart");
        assertEquals(List.of("text: after restart"), summary(rounds(bm, BOB, again, ALICE)),
                "authenticated again, the pin unchanged (no event)");
        assertEquals(List.of(), server.mailbox("bob"), "everything read was acknowledged");
    }

    /** Alice's and bob's messengers, each "process" over its own home directory. */
    private record Both(Messenger alice, Messenger bob) {
    }

    /** Alice's first text to bob: each pins the other's key; their conversation is authenticated. */
    private Both aliceWritesToBobForTheFirstTime() {
        Messenger am = process("alice", ALICE, aliceHome);
        send(am, "alice", ALICE, "first");
        Messenger bm = process("bob", BOB, bobHome);
        assertEquals(List.of("first_use", "text: first"), summary(rounds(bm, BOB, am, ALICE)));
        return new Both(am, bm);
    }

    @Test
    void aReplacedKeyIsAcceptedAsARotationOnlyThroughTheHistoryAndItsTextsAreMarkedUntilConfirmed() throws Exception {
        aliceWritesToBobForTheFirstTime();
        PeerPins bobsPins = new PeerPins(bobHome, url());
        assertEquals(Optional.of(new PeerPins.Pin(OtrPublicKey.of(ALICE.getPublic()).fingerprint().hex(), ALICE_ID)),
                bobsPins.pinned("alice"));

        KeyPair next = KeyStoreFiles.generate();
        server.replaceKey("alice", next);
        Messenger am2 = process("alice", next, aliceHome);
        send(am2, "alice", next, "second");
        Messenger bm2 = process("bob", BOB, bobHome);
        List<Messenger.Event> atBob = rounds(bm2, BOB, am2, next);
        assertEquals(List.of("rotated", "text: second"), summary(atBob));
        assertTrue(atBob.get(0).keyCheck().changedAt().isPresent());
        assertEquals("* " + atBob.get(0).keyCheck().message(), atBob.get(0).line());
        assertEquals(Optional.of(new PeerPins.Pin(OtrPublicKey.of(next.getPublic()).fingerprint().hex(), ALICE_ID,
                false)), bobsPins.pinned("alice"), "pinned, not confirmed yet");

        // a server can show bob alone a log of its own making with that change in it: alice's texts are not held
        // back, but marked until bob confirmed the key, and plain after
        assertTrue(atBob.get(1).unconfirmedKey());
        assertEquals("alice [unconfirmed key]: second", atBob.get(1).line());
        am2.resume(login("alice", next));
        assertTrue(am2.send("bob", "third"));
        am2.session().logout();
        assertEquals("alice [unconfirmed key]: third", online("bob", BOB, bm2).get(0).line(), "still not confirmed");
        assertTrue(bobsPins.confirm("alice", OtrPublicKey.of(next.getPublic()).fingerprint().hex()));
        am2.resume(login("alice", next));
        assertTrue(am2.send("bob", "fourth"));
        am2.session().logout();
        Messenger.Event fourth = online("bob", BOB, bm2).get(0);
        assertFalse(fourth.unconfirmedKey());
        assertEquals("alice: fourth", fourth.line());
    }

    /** Rounds of bob then alice online, as long as it takes an AKE through the mailboxes; alice's events. */
    private List<Messenger.Event> roundsSeenByAlice(Messenger bob, Messenger alice, KeyPair aliceKey) {
        List<Messenger.Event> atAlice = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            online("bob", BOB, bob);
            atAlice.addAll(online("alice", aliceKey, alice));
        }
        return atAlice;
    }

    /**
     * A server can show one client a log of its own in which alice replaced her key, and answer with that key: the
     * history verifies, so the change is accepted. What bob wrote meanwhile must not go to that key before he saw the
     * notice and confirmed it; it waits, across a restart too, and leaves once he did.
     */
    @Test
    void afterARotationTheWaitingTextsLeaveOnlyOnceTheUserConfirmedTheNewKey() throws Exception {
        aliceWritesToBobForTheFirstTime();

        KeyPair next = KeyStoreFiles.generate();
        String nextFingerprint = OtrPublicKey.of(next.getPublic()).fingerprint().hex();
        server.replaceKey("alice", next);
        Messenger am2 = process("alice", next, aliceHome);
        Messenger bm2 = process("bob", BOB, bobHome);
        bm2.resume(login("bob", BOB));
        assertFalse(bm2.send("alice", "for alice"));
        bm2.session().logout();
        List<Messenger.Event> atBob = new ArrayList<>();
        List<Messenger.Event> atAlice = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            atAlice.addAll(online("alice", next, am2));
            atBob.addAll(online("bob", BOB, bm2));
        }
        assertEquals(List.of("rotated"), summary(atBob));
        assertTrue(atBob.get(0).line().contains("`osms trust alice " + nextFingerprint + "`"), atBob.get(0).line());
        assertEquals(List.of(), summary(atAlice), "nothing reached the new key");
        assertEquals(Optional.of(OtrPublicKey.of(next.getPublic())), bm2.verifiedKey("alice"), "authenticated");
        assertTrue(bm2.awaitsConfirmation("alice"));
        bm2.resume(login("bob", BOB));
        assertFalse(bm2.send("alice", "still for alice"), "a new text waits too");
        bm2.session().logout();
        assertEquals(List.of(), summary(roundsSeenByAlice(bm2, am2, next)));
        assertEquals(List.of("for alice", "still for alice"), bm2.queued("alice"));

        // a restarted bob proves the same key again: still unconfirmed, still waiting
        Messenger bm3 = process("bob", BOB, bobHome);
        bm3.resume(login("bob", BOB));
        assertEquals(List.of("alice"), bm3.startWaiting());
        bm3.session().logout();
        atBob.clear();
        atAlice.clear();
        for (int round = 0; round < 4; round++) {
            atAlice.addAll(online("alice", next, am2));
            atBob.addAll(online("bob", BOB, bm3));
        }
        assertEquals(List.of("unconfirmed"), summary(atBob));
        assertEquals(List.of(), summary(atAlice));
        assertEquals(List.of("for alice", "still for alice"), Outbox.in(bobHome, url()).waiting("alice").stream()
                .map(Outbox.Entry::text).toList());

        assertTrue(new PeerPins(bobHome, url()).confirm("alice", nextFingerprint));
        bm3.resume(login("bob", BOB));
        assertTrue(bm3.send("alice", "confirmed"));
        bm3.session().logout();
        assertFalse(bm3.awaitsConfirmation("alice"));
        assertEquals(List.of("text: for alice", "text: still for alice", "text: confirmed"),
                summary(online("alice", next, am2)));
        assertEquals(List.of(), Outbox.in(bobHome, url()).all());
    }

    @Test
    void aKeySwappedWithoutAnEntryInTheLogIsRefusedAndThePinAndTheTextStay() throws Exception {
        aliceWritesToBobForTheFirstTime();
        String pinsBefore = Files.readString(new PeerPins(bobHome, url()).file());

        // the server publishes another key for alice and records nothing: the swap a pin exists to catch
        KeyPair swapped = KeyStoreFiles.generate();
        server.directory.put("alice", OtrPublicKey.of(swapped.getPublic()));
        Messenger impostor = process("alice", swapped, dir.resolve("impostor"));
        send(impostor, "alice", swapped, "trust me");
        Messenger bm2 = process("bob", BOB, bobHome);
        bm2.resume(login("bob", BOB));
        assertFalse(bm2.send("alice", "for the real alice"), "bob starts too: his text must wait");
        bm2.session().logout();
        List<Messenger.Event> atBob = rounds(bm2, BOB, impostor, swapped);
        assertEquals("refused: no_transition", summary(atBob).get(0));
        assertTrue(atBob.stream().allMatch(e -> e.refused() && e.text() == null),
                "the impostor's text that followed is dropped unread: " + summary(atBob));
        assertTrue(atBob.get(0).problem().startsWith("refused the conversation with alice: the public history"),
                atBob.get(0).problem());
        assertEquals(pinsBefore, Files.readString(new PeerPins(bobHome, url()).file()), "the old pin stays");
        assertEquals(List.of("for the real alice"), bm2.queued("alice"), "nothing was sent to the impostor");
        assertEquals(Optional.empty(), bm2.verifiedKey("alice"));
    }

    /**
     * A DSA key with a modulus of 1056 bits: otr4j signs and verifies with it (JCA's NONEwithDSA checks no sizes), so
     * it completes an AKE, but OSMS accepts 1024 to 3072 bits in steps of 64 only.
     */
    private static KeyPair unfitKey() throws Exception {
        return org.osms.protocol.DsaKeys.inSubgroup(java.math.BigInteger.probablePrime(160,
                new java.security.SecureRandom()), 1056);
    }

    @Test
    void aPeerProvingAKeyOsmsRefusesIsRefusedAndThePollGoesOn() throws Exception {
        KeyPair unfit = unfitKey();
        assertEquals("bad_public_key", assertThrows(org.osms.protocol.ProtocolException.class,
                () -> OtrPublicKey.of(unfit.getPublic())).code());
        // mallory logs in with her registered key, and runs the end-to-end AKE with the unfit one
        KeyPair mallorysLogin = KeyStoreFiles.generate();
        server.register("mallory", 33, mallorysLogin);
        Messenger mallory = new Messenger(new OsmsClient(server.uri()), login("mallory", mallorysLogin), unfit);
        assertFalse(mallory.send("bob", "crash"));
        mallory.session().logout();
        Messenger am = process("alice", ALICE, aliceHome);
        send(am, "alice", ALICE, "still there");

        Messenger bm = process("bob", BOB, bobHome);
        List<Messenger.Event> atBob = new ArrayList<>();
        for (int round = 0; round < 4; round++) {
            atBob.addAll(online("bob", BOB, bm));
            online("mallory", mallorysLogin, mallory);
            online("alice", ALICE, am);
        }
        atBob.addAll(online("bob", BOB, bm));
        List<Messenger.Event> refusals = atBob.stream().filter(e -> e.from().equals("mallory")
                && e.refused() && e.problem().startsWith("refused the conversation with mallory")).toList();
        assertEquals(1, refusals.size(), summary(atBob).toString());
        assertTrue(refusals.get(0).problem().contains("1024 to 3072 bits"), refusals.get(0).problem());
        assertTrue(atBob.stream().noneMatch(e -> e.from().equals("mallory") && e.text() != null));
        assertEquals(List.of("first_use", "text: still there"), summary(atBob.stream()
                .filter(e -> e.from().equals("alice")).toList()), "alice's conversation went on");
        assertEquals(Optional.empty(), bm.verifiedKey("mallory"));
        assertEquals(Optional.empty(), new PeerPins(bobHome, url()).pinned("mallory"), "nothing pinned");
    }

    @Test
    void messagesWithAMalformedSenderAreDroppedAndAcknowledgedWithoutTouchingThePins() {
        String fp = OtrPublicKey.of(ALICE.getPublic()).fingerprint().hex();
        server.mailbox("bob").add(new FakeServer.Stored(1_000, "Alice!", ALICE_ID, fp, "?OTRv3?"));
        server.mailbox("bob").add(new FakeServer.Stored(1_001, "alice", -1, fp, "?OTRv3?"));
        server.mailbox("bob").add(new FakeServer.Stored(1_002, "alice", 1L << 53, fp, "?OTRv3?"));
        Messenger bm = process("bob", BOB, bobHome);
        List<Messenger.Event> events = online("bob", BOB, bm);
        assertEquals(3, events.size());
        assertTrue(events.stream().allMatch(e -> e.refused() && e.problem().contains("malformed sender")),
                summary(events).toString());
        assertEquals(List.of(), server.mailbox("bob"), "acknowledged: unreadable now, unreadable later");
        assertFalse(Files.exists(new PeerPins(bobHome, url()).file()));
        assertEquals(List.of(), server.mailbox("alice"), "nothing answered");
    }

    @Test
    void whenASendFailsDuringAPollItIsAnEventWhatWasReadIsStillAcknowledgedAndTheTextsStay() {
        Messenger am = process("alice", ALICE, aliceHome);
        send(am, "alice", ALICE, "kept");
        Messenger bm = process("bob", BOB, bobHome);
        online("bob", BOB, bm); // bob answers the query: a D-H Commit waits for alice
        assertEquals(1, server.mailbox("alice").size());
        server.refusing.add("bob");
        List<Messenger.Event> events = online("alice", ALICE, am);
        assertEquals(List.of("refused: could not answer bob (no_such_recipient): No."), summary(events));
        assertEquals("no_such_recipient", events.get(0).refusalCode());
        assertEquals("no_such_recipient", Cli.conversationRefused(events, "bob").orElseThrow().code(),
                "osms send to bob stops with the server's code: waiting cannot help");
        assertEquals(Optional.empty(), Cli.conversationRefused(events, "carol"), "another peer's send goes on");
        assertEquals(List.of(), server.mailbox("alice"), "fed to OTR, so acknowledged");
        assertEquals(List.of("kept"), Outbox.in(aliceHome, url()).waiting("bob").stream()
                .map(Outbox.Entry::text).toList());
    }

    /**
     * A peer whose mail is refused (a deleted account, a sender over its rate) cannot make the poll lose the other
     * messages read with its own: they are decrypted, returned and acknowledged, and the refusal is an event.
     */
    @Test
    void aRefusedAnswerToOnePeerLosesNoTextFromAnother() {
        Both both = aliceWritesToBobForTheFirstTime();
        Messenger am = both.alice();
        Messenger bm = both.bob();
        bm.resume(login("bob", BOB));
        assertTrue(bm.send("alice", "hello alice"), "bob's conversation is authenticated: the text leaves at once");
        bm.session().logout();
        server.register("carol", CAROL_ID, CAROL);
        Messenger cm = process("carol", CAROL, dir.resolve("carol"));
        cm.resume(login("carol", CAROL));
        assertFalse(cm.send("alice", "hi"), "carol's query waits for alice");
        cm.session().logout();
        assertEquals(List.of("bob", "carol"), server.mailbox("alice").stream().map(FakeServer.Stored::from).toList());
        server.refusing.add("carol"); // alice's answer to carol's query is refused

        List<Messenger.Event> atAlice = online("alice", ALICE, am);
        assertEquals(List.of("text: hello alice", "refused: could not answer carol (no_such_recipient): No."),
                summary(atAlice));
        assertEquals(List.of(), server.mailbox("alice"), "both read and acknowledged");
    }

    /**
     * A poll that fails half way (here bob's pins file is damaged when carol's conversation needs a pin) still gives
     * the texts it decrypted before the failure to the user: they were fed to OTR and acknowledged, so they could
     * never be read again. {@code finish}, which every command calls before logging out, returns them.
     */
    @Test
    void textsDecryptedBeforeAPollFailedAreNotLost() throws Exception {
        Both both = aliceWritesToBobForTheFirstTime();
        Messenger am = both.alice();
        Messenger bm = both.bob();
        server.register("carol", CAROL_ID, CAROL);
        Messenger cm = process("carol", CAROL, dir.resolve("carol"));
        cm.resume(login("carol", CAROL));
        assertFalse(cm.send("bob", "from carol"), "carol's query waits for bob");
        cm.session().logout();
        online("bob", BOB, bm); // D-H commit to carol
        online("carol", CAROL, cm); // D-H key to bob
        online("bob", BOB, bm); // reveal signature to carol
        am.resume(login("alice", ALICE));
        assertTrue(am.send("bob", "before the failure"));
        am.session().logout();
        online("carol", CAROL, cm); // carol's signature, then her text, after alice's text
        assertEquals(List.of("alice", "carol", "carol"),
                server.mailbox("bob").stream().map(FakeServer.Stored::from).toList());
        Path pins = new PeerPins(bobHome, url()).file();
        Files.writeString(pins, "damaged\n", java.nio.file.StandardOpenOption.APPEND);

        OsmsException failed = assertThrows(OsmsException.class, () -> online("bob", BOB, bm));
        assertEquals("bad_pins", failed.code());
        assertEquals(List.of("text: before the failure"), summary(bm.finish()), "the text read before the failure");
        assertEquals(List.of(), summary(bm.finish()), "given once");
        assertEquals(List.of("carol"), server.mailbox("bob").stream().map(FakeServer.Stored::from).toList(),
                "what was fed to OTR is acknowledged; carol's text, not read, waits");
    }

    /**
     * An acknowledgement the server refuses is not given up: the ids read are acknowledged with the next poll, with
     * that poll's own, and the server's mailbox is empty again without the messages being read twice.
     */
    @Test
    void anAcknowledgementTheServerRefusedIsSentAgainWithTheNextPoll() {
        Both both = aliceWritesToBobForTheFirstTime();
        Messenger am = both.alice();
        Messenger bm = both.bob();
        am.resume(login("alice", ALICE));
        assertTrue(am.send("bob", "second"));
        am.session().logout();

        server.refusedAcks = 1;
        server.acks.clear();
        List<Messenger.Event> atBob = online("bob", BOB, bm);
        assertEquals(List.of("text: second", "refused: the server did not take the acknowledgement of 1 message(s) "
                + "(unknown_outcome); it is tried again with the next poll and before logging out"), summary(atBob));
        assertEquals(1, server.mailbox("bob").size(), "still waiting on the server");
        assertEquals(1, bm.unacknowledged());
        assertEquals(List.of(), server.acks);

        am.resume(login("alice", ALICE));
        assertTrue(am.send("bob", "third"));
        am.session().logout();
        assertEquals(List.of("text: third"), summary(online("bob", BOB, bm)), "second is not read again");
        assertEquals(List.of(2), server.acks, "one ack: the refused id and this poll's");
        assertEquals(List.of(), server.mailbox("bob"));
        assertEquals(0, bm.unacknowledged());
    }

    /** {@code n} messages to bob from a malformed sender: read, dropped and to be acknowledged, without OTR. */
    private void junkForBob(int n) {
        String fp = OtrPublicKey.of(ALICE.getPublic()).fingerprint().hex();
        for (int i = 0; i < n; i++) {
            server.mailbox("bob").add(new FakeServer.Stored(nextJunk++, "Alice!", ALICE_ID, fp, "?OTRv3?"));
        }
    }

    private long nextJunk = 100_000;

    /** Bob, logged in, has read {@code n} junk messages a page at a time, each page's ack refused; no ack counted. */
    private Messenger bobReadsWithEveryAckRefused(int n) {
        junkForBob(n);
        Messenger bm = process("bob", BOB, bobHome);
        bm.resume(login("bob", BOB));
        int pages = (n + 99) / 100;
        server.refusedAcks = pages;
        for (int i = 0; i < pages; i++) {
            bm.poll(0);
        }
        server.acks.clear();
        return bm;
    }

    /** What refused acks left is acknowledged a thousand ids at a time (the protocol's limit), oldest first. */
    @Test
    void refusedAcknowledgementsAreSentAgainAThousandIdsAtATime() {
        Messenger bm = bobReadsWithEveryAckRefused(1_500);
        assertEquals(1_500, bm.unacknowledged());
        assertEquals(1_500, server.mailbox("bob").size());
        bm.poll(0);
        bm.session().logout();
        assertEquals(List.of(1_000, 500), server.acks);
        assertEquals(List.of(), server.mailbox("bob"));
        assertEquals(0, bm.unacknowledged());
    }

    /** Past 10,000 ids kept, the oldest are given up: they stay on the server until its retention ends. */
    @Test
    void atMostTenThousandRefusedAcknowledgementsAreKept() {
        Messenger bm = bobReadsWithEveryAckRefused(10_050);
        bm.poll(0);
        bm.session().logout();
        assertEquals(java.util.Collections.nCopies(10, 1_000), server.acks);
        assertEquals(java.util.stream.LongStream.range(100_000, 100_050).boxed().toList(),
                server.mailbox("bob").stream().map(FakeServer.Stored::id).toList(), "the oldest 50 are left");
    }

    /**
     * Before the conversation ends, what a refused ack left is acknowledged once more ({@link Messenger#finish}); if
     * the server refuses again, the event says the messages stay and could not be read again.
     */
    @Test
    void finishAcknowledgesWhatARefusedAckLeftOrSaysWhatThatMeans() {
        junkForBob(3);
        Messenger bm = process("bob", BOB, bobHome);
        bm.resume(login("bob", BOB));
        server.refusedAcks = 1;
        bm.poll(0);
        assertEquals(3, bm.unacknowledged());
        assertEquals(List.of(), bm.finish(), "taken this time");
        assertEquals(List.of(), server.mailbox("bob"));

        junkForBob(2);
        server.refusedAcks = 2;
        bm.poll(0);
        assertEquals(List.of("refused: the server did not take the acknowledgement of 2 message(s) (unknown_outcome); "
                + "they stay on the server until its retention ends, and if they arrive again they cannot be read"),
                summary(bm.finish()));
        assertEquals(0, bm.unacknowledged());
        assertEquals(2, server.mailbox("bob").size());
        bm.session().logout();
    }

    /**
     * A peer that ends the end-to-end conversation (OTR's disconnect) leaves it unverified: the next text does not
     * go into the ended conversation (otr4j would refuse it) but starts a new one, and waits for it.
     */
    @Test
    void aPeerEndingTheConversationLeavesItUnverifiedAndTheNextTextStartsANewOne() throws Exception {
        Messenger am = process("alice", ALICE, aliceHome);
        send(am, "alice", ALICE, "first");
        // bob's side by hand: an OTR conversation of its own, through the same mailboxes
        OtrConversation bob = new OtrConversation("me", "alice", BOB);
        List<String> atBob = new ArrayList<>();
        long after = 0;
        for (int round = 0; round < 4; round++) {
            OsmsClient.Session bs = login("bob", BOB);
            for (jakarta.json.JsonValue v : bs.fetch(after, 100, 0).getJsonArray("messages")) {
                jakarta.json.JsonObject m = v.asJsonObject();
                after = Math.max(after, m.getJsonNumber("id").longValueExact());
                OtrConversation.Received received = bob.receive(m.getString("body"));
                received.plaintext().ifPresent(atBob::add);
                for (String reply : received.replies()) {
                    bs.sendTo("alice", reply);
                }
            }
            bs.logout();
            online("alice", ALICE, am);
        }
        assertEquals(List.of("first"), atBob, "the conversation is authenticated and alice's text arrived");
        assertTrue(am.verifiedKey("bob").isPresent());

        OsmsClient.Session bs = login("bob", BOB);
        for (String m : bob.end()) {
            bs.sendTo("alice", m);
        }
        bs.logout();
        List<Messenger.Event> atAlice = online("alice", ALICE, am);
        assertEquals(List.of("refused: bob ended the end-to-end conversation; the next text to bob starts a new one"),
                summary(atAlice));
        assertEquals(Optional.empty(), am.verifiedKey("bob"));

        int before = server.mailbox("bob").size();
        am.resume(login("alice", ALICE));
        assertFalse(am.send("bob", "second"), "it waits for the new conversation");
        am.session().logout();
        assertEquals(List.of("second"), am.queued("bob"));
        assertEquals(before + 1, server.mailbox("bob").size());
        assertTrue(org.osms.protocol.OtrEnvelope.isQuery(server.mailbox("bob").get(before).body()),
                "a new conversation begins with a query");
    }
}
