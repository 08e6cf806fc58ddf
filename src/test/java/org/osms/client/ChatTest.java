package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatTest {

    /** A messenger whose conversation with bob becomes authenticated at the second poll. */
    static class Recorder implements Chat.Messages {
        final List<String> sent = new ArrayList<>();
        final List<String> waiting = new ArrayList<>();
        final Deque<List<Messenger.Event>> arriving = new ArrayDeque<>();
        int polls;
        boolean authenticated;
        boolean keyUnconfirmed;
        List<String> started = List.of();

        @Override
        public boolean send(String to, String text) {
            assertEquals("bob", to);
            if (authenticated) {
                sent.add(text);
                return true;
            }
            waiting.add(text);
            return false;
        }

        @Override
        public List<String> queued(String to) {
            return List.copyOf(waiting);
        }

        @Override
        public List<Messenger.Event> poll(int waitSeconds) {
            assertEquals(1, waitSeconds);
            polls++;
            if (polls == 2) {
                authenticated = true;
                sent.addAll(waiting);
                waiting.clear();
            }
            try {
                // the server's wait, shortened; the first one long enough for the input thread to read everything
                Thread.sleep(polls == 1 ? 300 : 5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
            return arriving.isEmpty() ? List.of() : arriving.removeFirst();
        }

        @Override
        public List<String> startWaiting() {
            started = List.of("bob");
            return started;
        }

        @Override
        public boolean awaitsConfirmation(String to) {
            return keyUnconfirmed;
        }

        final List<String> kept = new ArrayList<>();

        @Override
        public void keep(String to, String text) {
            assertEquals("bob", to);
            kept.add(text);
        }
    }

    private static String run(Recorder m, String input, Duration linger) {
        StringWriter out = new StringWriter();
        int left = assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> new Chat(m, "bob", new StringReader(input), new PrintWriter(out), 1, linger).run());
        assertEquals(m.waiting.size(), left);
        return out.toString();
    }

    @Test
    void atTheEndOfInputTheChatGoesOnUntilTheTypedLinesLeftInOrder() {
        Recorder m = new Recorder();
        m.arriving.add(List.of(new Messenger.Event("carol", "hi from carol", null)));
        m.arriving.add(List.of(new Messenger.Event("bob", null, "refused the conversation with bob: because")));
        String out = run(m, "hello\n\n   \nsecond line\n", Duration.ofSeconds(10));
        assertEquals(List.of("hello", "second line"), m.sent, "blank lines are skipped");
        assertEquals(2, m.polls, "ended as soon as nothing waited");
        assertEquals(List.of("bob"), m.started, "texts waiting from an earlier run are started first");
        assertTrue(out.contains("carol: hi from carol\n"), out);
        assertTrue(out.contains("! refused the conversation with bob: because\n"), out);
        assertTrue(out.contains("(sent 2 waiting texts to bob)\n"), out);
        assertTrue(out.endsWith("bye\n"), out);
    }

    @Test
    void quitEndsTheChatAtOnceAndWhatWaitsIsKept() {
        Recorder m = new Recorder();
        String out = run(m, "one\ntwo\n/quit\nnever sent\n", Duration.ofSeconds(10));
        assertEquals(List.of(), m.sent);
        assertEquals(List.of("one", "two"), m.waiting, "nothing after /quit");
        assertTrue(m.polls <= 1, "no wait for the texts to leave");
        assertTrue(out.contains("2 texts to bob still waiting"), out);
    }

    @Test
    void theEndOfInputEndsTheChatAfterTheLingerEvenIfTextsStillWait() {
        Recorder m = new Recorder();
        m.polls = 5; // never authenticated during this chat
        String out = run(m, "one", Duration.ofMillis(200));
        assertEquals(List.of(), m.sent);
        assertEquals(List.of("one"), m.waiting);
        assertTrue(m.polls > 5, "it went on polling meanwhile");
        assertTrue(out.contains("1 text to bob still waiting"), out);
    }

    @Test
    void aLineForAKeyNotConfirmedYetSaysWhatItWaitsFor() {
        Recorder m = new Recorder();
        m.polls = 5; // authenticated with a changed key: nothing leaves during this chat
        m.keyUnconfirmed = true;
        String out = run(m, "one", Duration.ofMillis(200));
        assertEquals(List.of("one"), m.waiting);
        assertTrue(out.contains("(waiting until you confirm the new key of bob, as the notice above says)\n"), out);
    }

    @Test
    void anEventLineSaysWhatHappened() {
        PeerKeyCheck.Result rotated = new PeerKeyCheck.Result(PeerKeyCheck.Outcome.ROTATED, "alice",
                "alice replaced the key", java.util.Optional.empty());
        assertEquals("* alice replaced the key", new Messenger.Event("alice", null, null, rotated).line());
        assertEquals("alice: hello", new Messenger.Event("alice", "hello", null).line());
        assertEquals("alice [unconfirmed key]: hello", new Messenger.Event("alice", "hello", null, null, true).line());
        assertEquals("! no", new Messenger.Event("alice", null, "no", rotated).line());
    }

    /**
     * A send the server refuses (or a poll that fails) ends the chat; the lines typed meanwhile and not handled yet are
     * kept in the outbox and the user is told, not dropped with the reader's queue.
     */
    /** A messenger that refuses the text "refused", once the input thread has read every line (up to /quit). */
    private static Recorder refusing(String notKept) {
        return new Recorder() {
            @Override
            public boolean send(String to, String text) {
                if (text.equals("refused")) {
                    inputRead();
                    throw new OsmsException(0, "rate_limited", "Too many.");
                }
                return super.send(to, text);
            }

            @Override
            public void keep(String to, String text) {
                if (text.equals(notKept)) {
                    throw new OsmsException(0, "io", "Disk full.");
                }
                super.keep(to, text);
            }
        };
    }

    /** Waits for the chat's input thread to end: it ends at /quit, when every line before it is queued. */
    private static void inputRead() {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().equals("osms-chat-input")) {
                try {
                    t.join(5_000);
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
            }
        }
    }

    private static OsmsException failedChat(Recorder m, StringWriter out) {
        return assertThrows(OsmsException.class, () -> assertTimeoutPreemptively(Duration.ofSeconds(10),
                () -> new Chat(m, "bob", new StringReader("first\nrefused\n\nthird\nfourth\n/quit\nnever\n"),
                        new PrintWriter(out), 1, Duration.ofSeconds(10)).run()));
    }

    /**
     * A send the server refuses (or a poll that fails) ends the chat; the lines typed meanwhile and not handled yet are
     * kept in the outbox and the user is told, not dropped with the reader's queue.
     */
    @Test
    void whenTheChatFailsTheLinesTypedAndNotHandledYetAreKept() {
        Recorder m = refusing(null);
        StringWriter out = new StringWriter();
        OsmsException failed = failedChat(m, out);
        assertEquals("rate_limited", failed.code());
        assertEquals(List.of("first"), m.waiting, "handed to the messenger before the failure");
        assertEquals(List.of("third", "fourth"), m.kept, "blank lines skipped, nothing after /quit");
        assertTrue(out.toString().contains("(2 typed lines to bob kept in the outbox for the next `osms send`, "
                + "`osms inbox` or `osms chat`)\n"), out.toString());
        assertEquals(0, failed.getSuppressed().length);
    }

    /** A line the outbox cannot take either (a full disk) is reported, and the first failure stays the one thrown. */
    @Test
    void aTypedLineTheOutboxCannotTakeIsReportedAndTheFailureKept() {
        Recorder m = refusing("third");
        StringWriter out = new StringWriter();
        OsmsException failed = failedChat(m, out);
        assertEquals("rate_limited", failed.code());
        assertEquals(List.of("fourth"), m.kept, "the next line is still kept");
        assertEquals(1, failed.getSuppressed().length);
        assertEquals("io", ((OsmsException) failed.getSuppressed()[0]).code());
        assertTrue(out.toString().contains("(1 typed line to bob kept in the outbox"), out.toString());
        assertTrue(out.toString().contains("(1 typed line to bob could not be kept and was NOT sent)\n"),
                out.toString());
    }
}
