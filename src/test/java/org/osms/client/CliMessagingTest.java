package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/** The {@code osms} messaging commands, run in this JVM against a {@link FakeServer}. */
class CliMessagingTest {
    private static final KeyPair ALICE = KeyStoreFiles.generate();
    private static final KeyPair BOB = KeyStoreFiles.generate();

    @TempDir
    Path dir;

    private FakeServer server;
    private Path home;

    record Run(int exit, String out, String err) {
    }

    @BeforeEach
    void aliceHasAnAccount() throws Exception {
        server = new FakeServer();
        server.register("alice", 11, ALICE);
        server.register("bob", 22, BOB);
        home = dir.resolve("osms");
        new KeyStoreFiles(home).save(new KeyStoreFiles.Identity(ALICE, Optional.of("alice")));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private Run osms(String input, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        List<String> all = new ArrayList<>(List.of("--server", server.uri().toString(), "--home", home.toString()));
        all.addAll(List.of(args));
        int exit = Cli.run(all.toArray(String[]::new), new StringReader(input), new PrintWriter(out, true),
                new PrintWriter(err, true));
        return new Run(exit, out.toString(), err.toString());
    }

    @Test
    void auditKeepsItsCheckpointAndRefusesADamagedOrRewrittenOne() throws Exception {
        Run audit = osms("", "audit");
        assertEquals(0, audit.exit(), audit.err());
        assertTrue(audit.out().startsWith("audit log verified: 2 entries, head "), audit.out());
        Path checkpoints = home.resolve("audit_checkpoints");
        String saved = Files.readString(checkpoints);
        String head = audit.out().strip().substring("audit log verified: 2 entries, head ".length());
        assertEquals(server.uri() + " 2 " + head + "\n", saved);
        assertEquals(0, osms("", "audit").exit(), "the same log verifies against its checkpoint");

        for (String damaged : List.of("x " + head, "-1 " + head, "0 " + head, "1 zz", "1 " + head.substring(2))) {
            Files.writeString(checkpoints, server.uri() + " " + damaged + "\n");
            Run refused = osms("", "audit");
            assertEquals(1, refused.exit(), damaged);
            assertTrue(refused.err().endsWith("(bad_checkpoint)\n"), damaged + ": " + refused.err());
            assertEquals(server.uri() + " " + damaged + "\n", Files.readString(checkpoints), "left as it was");
        }
        Files.writeString(checkpoints, server.uri() + " 1 " + "00".repeat(32) + "\n");
        Run rewritten = osms("", "audit");
        assertEquals(1, rewritten.exit());
        assertTrue(rewritten.err().endsWith("(audit_rewritten)\n"), rewritten.err());
    }

    /**
     * {@code osms inbox} polls once: an acknowledgement refused there is tried once more before the logout, since the
     * ids live only in this process; the next run finds nothing to read again.
     */
    @Test
    void blockSaysHowManyWaitingMessagesItDiscarded() {
        String fp = OtrPublicKey.of(BOB.getPublic()).fingerprint().hex();
        server.mailbox("alice").add(new FakeServer.Stored(1, "bob", 22, fp, "?OTRv3?"));
        server.mailbox("alice").add(new FakeServer.Stored(2, "bob", 22, fp, "?OTRv3?"));
        Run block = osms("", "block", "bob");
        assertEquals(0, block.exit(), block.err());
        assertTrue(block.out().endsWith("\nblocked bob; 2 waiting messages from them discarded\n"), block.out());
        assertTrue(server.mailbox("alice").isEmpty());
        server.mailbox("alice").add(new FakeServer.Stored(3, "bob", 22, fp, "?OTRv3?"));
        Run again = osms("", "block", "bob");
        assertEquals("blocked bob; 1 waiting message from them discarded\n", again.out());
        assertEquals("blocked bob\n", osms("", "block", "bob").out(), "nothing waiting, nothing said of it");
    }

    @Test
    void inboxAcknowledgesBeforeItLogsOutWhatARefusedAckLeft() {
        String fp = OtrPublicKey.of(BOB.getPublic()).fingerprint().hex();
        for (int i = 0; i < 3; i++) {
            server.mailbox("alice").add(new FakeServer.Stored(5_000 + i, "Bob!", 22, fp, "?OTRv3?"));
        }
        server.refusedAcks = 1; // the poll's ack
        Run inbox = osms("", "inbox");
        assertEquals(0, inbox.exit(), inbox.err());
        assertTrue(inbox.out().contains("the server did not take the acknowledgement of 3 message(s) "
                + "(unknown_outcome); it is "
                + "tried again with the next poll and before logging out"), inbox.out());
        assertEquals(List.of(), server.mailbox("alice"), "acknowledged before the logout");
        assertEquals(List.of(3), server.acks);
    }

    @Test
    void theCommandsOwnErrorIsWhatTheUserSeesWhenTheLogoutAfterItFailsToo() {
        server.refuseNextCommandAndForget = "key_changed";
        Run whoami = osms("", "whoami");
        assertEquals(1, whoami.exit());
        assertEquals("osms: Refused. (key_changed)\n", whoami.err(), "not the logout's unknown_session");
        assertEquals(1, server.terminations, "the logout was still tried");
    }

    @Test
    void aConversationTheServerNoLongerHasIsNotLoggedOutOfAgain() {
        server.forgetAtNextCommand = true;
        Run whoami = osms("", "whoami");
        assertEquals(1, whoami.exit());
        assertTrue(whoami.err().startsWith("osms: ") && whoami.err().endsWith("(unknown_session)\n"), whoami.err());
        assertEquals(0, server.terminations, "no logout of a conversation the server said it does not have");
    }

    @Test
    void aSendThatTimesOutLeavesTheTextInTheOutboxWhereQueuedShowsIt() throws Exception {
        Run send = osms("", "send", "bob", "hello bob", "--wait", "1");
        assertEquals(1, send.exit());
        assertTrue(send.err().startsWith("osms: ") && send.err().contains("(queued)"), send.err());
        assertEquals(1, send.err().lines().count());
        Path outbox = home.resolve(Outbox.FILE);
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(outbox)));

        Run queued = osms("", "queued");
        assertEquals(0, queued.exit(), queued.err());
        assertEquals(1, queued.out().lines().count(), queued.out());
        assertTrue(queued.out().startsWith("bob  ") && queued.out().strip().endsWith("  hello bob"), queued.out());

        Run dropped = osms("", "queued", "--drop", "Bob");
        assertEquals("dropped 1 text to bob\n", dropped.out());
        assertEquals("nothing waits to be sent\n", osms("", "queued").out());
    }

    @Test
    void aTextFromStandardInputIsSentAsWrittenAndNoTextOrTooLongATextIsNot() {
        Run send = osms("two\nlines\n", "send", "bob", "--wait", "1");
        assertEquals(1, send.exit());
        assertTrue(send.err().contains("(queued)"), send.err());
        assertEquals(List.of("two\nlines"), Outbox.in(home, server.uri().toString()).waiting("bob").stream()
                .map(Outbox.Entry::text).toList(), "the final line break dropped, the one inside kept");

        Run empty = osms("", "send", "bob", "-", "--wait", "1");
        assertEquals(1, empty.exit());
        assertTrue(empty.err().contains("(no_text)"), empty.err());
        Run tooLong = osms("x".repeat(Cli.Send.MAX_STDIN_CHARS + 1), "send", "bob", "--wait", "1");
        assertEquals(1, tooLong.exit());
        assertTrue(tooLong.err().contains("(text_too_long)"), tooLong.err());
        assertEquals(1, Outbox.in(home, server.uri().toString()).waiting("bob").size(), "neither was queued");
    }

    /** Two commands on one home directory at once would undo each other's changes: the second is refused. */
    @Test
    void aCommandIsRefusedWhileAnotherUsesTheSameHomeAndChangesNothing() throws Exception {
        try (HomeLock running = HomeLock.tryTake(home).orElseThrow()) {
            Run second = osms("", "send", "bob", "hello bob", "--wait", "1");
            assertEquals(1, second.exit());
            assertTrue(second.err().contains("(home_in_use)"), second.err());
            assertEquals(List.of(), server.commands, "no command reached the server");
            assertFalse(Files.exists(home.resolve(Outbox.FILE)), "nothing queued");
            assertEquals(Optional.empty(), HomeLock.tryTake(home), "the first still holds the lock");
            Run help = osms("", "--help");
            assertEquals(0, help.exit(), "help needs no lock: " + help.err());
            assertTrue(help.out().contains("send"), help.out());
        }
        Run after = osms("", "send", "bob", "hello bob", "--wait", "1");
        assertTrue(after.err().contains("(queued)"), "once the first is done: " + after.err());
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(
                home.resolve(HomeLock.FILE))));
    }

    @Test
    void chatSendsTheTypedLinesOnceBobAnswersAndSaysWhatHappened() throws Exception {
        List<Messenger.Event> atBob = new ArrayList<>();
        CompletableFuture<Void> bob = CompletableFuture.runAsync(() -> {
            OsmsClient client = new OsmsClient(server.uri());
            OsmsClient.Session s = client.login(Username.of("bob"), BOB, server.serverKey());
            Messenger bm = new Messenger(client, s, BOB);
            s.logout();
            long deadline = System.currentTimeMillis() + 30_000;
            while (atBob.stream().noneMatch(e -> e.text() != null) && System.currentTimeMillis() < deadline) {
                bm.resume(client.login(Username.of("bob"), BOB, server.serverKey()));
                atBob.addAll(bm.poll(0));
                bm.session().logout();
            }
        });
        Run chat = osms("hi bob\n", "chat", "bob", "--poll", "1", "--linger", "30");
        bob.get(40, TimeUnit.SECONDS);
        assertEquals(0, chat.exit(), chat.err());
        assertTrue(chat.out().contains("* first conversation with bob on this server: pinned the key"), chat.out());
        assertTrue(chat.out().contains("(sent 1 waiting text to bob)"), chat.out());
        assertTrue(chat.out().endsWith("bye\n"), chat.out());
        assertEquals(List.of("hi bob"), atBob.stream().filter(e -> e.text() != null).map(Messenger.Event::text)
                .toList());
        assertEquals(List.of(), Outbox.in(home, server.uri().toString()).all());
    }

    /** Bob's client with {@code key}, answering in turns until {@code done}; the texts it reads go to {@code read}. */
    private CompletableFuture<Void> bobAnswering(KeyPair key, List<String> read,
            java.util.function.BooleanSupplier done) {
        return CompletableFuture.runAsync(() -> {
            OsmsClient client = new OsmsClient(server.uri());
            OsmsClient.Session s = client.login(Username.of("bob"), key, server.serverKey());
            Messenger bm = new Messenger(client, s, key);
            s.logout();
            long deadline = System.currentTimeMillis() + 30_000;
            while (!done.getAsBoolean() && System.currentTimeMillis() < deadline) {
                bm.resume(client.login(Username.of("bob"), key, server.serverKey()));
                bm.poll(0).stream().filter(e -> e.text() != null).forEach(e -> read.add(e.text()));
                bm.session().logout();
            }
        });
    }

    @Test
    void aSendToAPeerWhoseKeyChangedWaitsForTrustAndLeavesAfterIt() throws Exception {
        String url = server.uri().toString();
        PeerPins pins = new PeerPins(home, url);
        pins.pin("bob", new PeerPins.Pin(org.osms.protocol.OtrPublicKey.of(BOB.getPublic()).fingerprint().hex(), 22));
        KeyPair next = KeyStoreFiles.generate();
        org.osms.protocol.Fingerprint nextKey = org.osms.protocol.OtrPublicKey.of(next.getPublic()).fingerprint();
        server.replaceKey("bob", next); // recorded in the log: a rotation the history shows

        List<String> atBob = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.atomic.AtomicBoolean sendDone = new java.util.concurrent.atomic.AtomicBoolean();
        CompletableFuture<Void> bob = bobAnswering(next, atBob, sendDone::get);
        Run send = osms("", "send", "bob", "held", "--wait", "20");
        sendDone.set(true);
        bob.get(40, TimeUnit.SECONDS);
        assertEquals(List.of(), atBob, "nothing reached the new key");
        assertEquals(1, send.exit());
        assertTrue(send.out().contains("* bob replaced the key"), send.out());
        assertTrue(send.err().endsWith("(unconfirmed_key)\n"), send.err());
        assertEquals(List.of("held"), Outbox.in(home, url).waiting("bob").stream().map(Outbox.Entry::text).toList());
        assertTrue(Files.readString(home.resolve("audit_checkpoints")).startsWith(url + " 3 "),
                "the log the key check verified is the checkpoint now");
        assertEquals(0, osms("", "audit").exit(), "and osms audit's view extends it");

        assertEquals(1, osms("", "trust", "bob", "b".repeat(40)).exit(), "not the key pinned");
        assertEquals(1, osms("", "trust", "bob", "xyz").exit());
        Run trust = osms("", "trust", "bob", nextKey.human());
        assertEquals(0, trust.exit(), trust.err());
        assertEquals("confirmed the key " + nextKey.human() + " of bob; 1 waiting text leaves with the next "
                + "`osms send`, `osms inbox` or `osms chat`\n", trust.out());
        assertTrue(osms("", "trust", "bob", nextKey.hex()).out().startsWith("already confirmed: "));

        CompletableFuture<Void> bobAgain = bobAnswering(next, atBob, () -> atBob.size() >= 2);
        Run after = osms("", "send", "bob", "and this", "--wait", "20");
        assertEquals(0, after.exit(), after.err());
        bobAgain.get(40, TimeUnit.SECONDS);
        assertEquals(List.of("held", "and this"), atBob);
        assertEquals(List.of(), Outbox.in(home, url).all());
    }

    @Test
    void aSendToAPeerWhoseKeyChangedWithoutAHistoryIsRefusedWithTheOutcomesCode() throws Exception {
        String bobs = org.osms.protocol.OtrPublicKey.of(BOB.getPublic()).fingerprint().hex();
        PeerPins pins = new PeerPins(home, server.uri().toString());
        pins.pin("bob", new PeerPins.Pin(bobs, 22));
        String pinned = Files.readString(pins.file());
        // the server publishes a key of its own for bob, and answers as bob with it; the log records nothing
        KeyPair impostor = KeyStoreFiles.generate();
        server.directory.put("bob", org.osms.protocol.OtrPublicKey.of(impostor.getPublic()));
        java.util.concurrent.atomic.AtomicBoolean sendDone = new java.util.concurrent.atomic.AtomicBoolean();
        CompletableFuture<Void> answering = bobAnswering(impostor, new ArrayList<>(), sendDone::get);
        long started = System.nanoTime();
        Run send = osms("", "send", "bob", "for bob only", "--wait", "20");
        long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
        sendDone.set(true);
        answering.get(40, TimeUnit.SECONDS);
        assertEquals(1, send.exit());
        assertTrue(send.err().contains("(no_transition)"), send.err());
        assertTrue(tookMs < 15_000, "the refusal ends the wait: " + tookMs + " ms");
        assertTrue(send.out().contains("! refused the conversation with bob: the public history of bob"), send.out());
        assertEquals(pinned, Files.readString(pins.file()), "the pin stays");
        assertEquals(List.of("for bob only"), Outbox.in(home, server.uri().toString()).waiting("bob").stream()
                .map(Outbox.Entry::text).toList(), "not sent; kept");
    }

    /** The fingerprint of the key in {@code file} of alice's home. */
    private String keyIn(String file) {
        KeyStoreFiles files = new KeyStoreFiles(home);
        return OtrPublicKey.of(files.load(home.resolve(file)).key().getPublic()).fingerprint().hex();
    }

    private String aliceOnServer() {
        return server.directory.get("alice").fingerprint().hex();
    }

    /**
     * A rename answered unknown_outcome that the server did: a login under the new name finds it done, and the key
     * file takes the new name (with the old one, every later command would fail: a login finds the current name only).
     */
    @Test
    void aRenameOfUnknownOutcomeThatWasDoneIsFoundAndRemembered() {
        server.checkKeysAtLogin = true;
        server.doneButUnknownOutcome = true;
        Run rename = osms("", "rename", "alice2");
        assertEquals(0, rename.exit(), rename.err());
        assertTrue(rename.out().contains("notice: the server failed while committing the rename, which was done"),
                rename.out());
        assertTrue(rename.out().contains("alice2  active"), rename.out());
        assertEquals(Optional.of("alice2"), new KeyStoreFiles(home).load().username());
        Run whoami = osms("", "whoami");
        assertEquals(0, whoami.exit(), whoami.err());
        assertTrue(whoami.out().contains("alice2  active"), whoami.out());
    }

    /** One that the server did not do: the user is told so, and the key file keeps the name that still works. */
    @Test
    void aRenameOfUnknownOutcomeThatWasNotDoneSaysSoAndKeepsTheName() {
        server.checkKeysAtLogin = true;
        server.undoneButUnknownOutcome = true;
        Run rename = osms("", "rename", "alice2");
        assertEquals(1, rename.exit());
        assertTrue(rename.err().contains("which was not done") && rename.err().contains("osms rename alice2"),
                rename.err());
        assertEquals(Optional.of("alice"), new KeyStoreFiles(home).load().username());
        assertFalse(server.directory.containsKey("alice2"));
        assertEquals(0, osms("", "whoami").exit());
    }

    /** A registration answered unknown_outcome that the server did: found by a login, and remembered. */
    @Test
    void aRegistrationOfUnknownOutcomeThatWasDoneIsFoundAndRemembered() {
        server.checkKeysAtLogin = true;
        server.registrationMemoryKiB = org.osms.protocol.RegistrationPuzzle.MIN_MEMORY_KIB;
        home = dir.resolve("carol");
        new KeyStoreFiles(home).save(new KeyStoreFiles.Identity(KeyStoreFiles.generate(), Optional.empty()));
        server.doneButUnknownOutcome = true;
        Run register = osms("", "register", "carol");
        assertEquals(0, register.exit(), register.err());
        assertTrue(register.out().contains("notice: the server failed while committing the register, which was done"),
                register.out());
        assertEquals(Optional.of("carol"), new KeyStoreFiles(home).load().username());
        assertEquals(List.of("register", "whoami"), server.commands);
    }

    @Test
    void aRotationTheServerAcceptedInstallsTheNewKeyEvenWhenTheLogoutAfterItFails() {
        server.checkKeysAtLogin = true;
        String old = keyIn("identity.key");
        server.failNextTermination = true;
        Run rotate = osms("", "rotate-key");
        assertEquals(0, rotate.exit(), rotate.err());
        assertTrue(rotate.out().contains("warning: the new key is installed, but logging out failed"), rotate.out());
        assertTrue(rotate.out().contains("Failed."), "the server's message is shown: " + rotate.out());
        assertFalse(rotate.out().contains("\u001b") || rotate.out().contains("\u0007"),
                "but nothing in it acts on the terminal: " + rotate.out());
        assertEquals(aliceOnServer(), keyIn("identity.key"), "the key the server holds is the identity key");
        assertEquals(old, keyIn("identity.key.old"));
        assertTrue(Files.notExists(home.resolve("identity.key.new")));
    }

    @Test
    void aRotationWhoseAnswerWasLostIsCompletedByTheNextOneNotOverwritten() {
        server.checkKeysAtLogin = true;
        String old = keyIn("identity.key");
        server.loseNextReplaceKeyReply = true;
        Run lost = osms("", "rotate-key");
        assertEquals(1, lost.exit());
        assertTrue(lost.err().contains("run `osms rotate-key` again"), lost.err());
        String taken = aliceOnServer();
        assertEquals(taken, keyIn("identity.key.new"), "the server took the new key, which only the pending file holds");
        assertEquals(old, keyIn("identity.key"));

        Run again = osms("", "rotate-key");
        assertEquals(0, again.exit(), again.err());
        assertTrue(again.out().contains("notice: an earlier rotate-key had completed"), again.out());
        assertEquals(taken, keyIn("identity.key"), "promoted, not overwritten by a fresh key");
        assertEquals(taken, aliceOnServer(), "no second rotation");
        assertEquals(old, keyIn("identity.key.old"));
        assertTrue(Files.notExists(home.resolve("identity.key.new")));
    }

    @Test
    void aPendingKeyTheServerRefusesIsReplacedAndTheRotationGoesOn() {
        server.checkKeysAtLogin = true;
        new KeyStoreFiles(home).savePending(new KeyStoreFiles.Identity(KeyStoreFiles.generate(), Optional.of("alice")));
        String stale = keyIn("identity.key.new");
        String old = keyIn("identity.key");
        Run rotate = osms("", "rotate-key");
        assertEquals(0, rotate.exit(), rotate.err());
        assertTrue(rotate.out().contains("notice: the server does not hold the key an earlier rotate-key left"),
                rotate.out());
        String now = keyIn("identity.key");
        assertEquals(aliceOnServer(), now);
        assertTrue(!now.equals(stale) && !now.equals(old), "a fresh key");
        assertEquals(old, keyIn("identity.key.old"));
    }
}
