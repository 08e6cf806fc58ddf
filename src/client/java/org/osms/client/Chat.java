package org.osms.client;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Reader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * {@code osms chat USER}: each line read is a text to USER, and what arrives from anyone is printed as it comes.
 * Messages from every peer are shown, not only USER's: a fetch takes the whole mailbox and acknowledges what it read,
 * so a message hidden here would be gone for good.
 *
 * <p>One login conversation does everything, in turns: a long-poll {@code fetch} of at most {@code pollSeconds}, then
 * the lines typed meanwhile are sent (a conversation waiting in a fetch may not send, docs/protocol.md "Long poll"),
 * so a typed line leaves within {@code pollSeconds}. Lines typed before the end-to-end conversation is authenticated
 * wait in the outbox and leave, in order, once it is.
 *
 * <p>A line {@code /quit} ends the chat at once. The end of input (a pipe that ran dry, Ctrl-D) ends it once nothing
 * waits for USER any more, or after {@code linger}, whichever comes first. Texts still waiting then stay in the outbox
 * for a later run.
 */
public final class Chat {
    /** The quit command, on a line of its own. */
    public static final String QUIT = "/quit";

    /** What the chat needs of a {@link Messenger}. */
    public interface Messages {
        boolean send(String to, String text);

        List<String> queued(String to);

        List<Messenger.Event> poll(int waitSeconds);

        List<String> startWaiting();

        /** Puts {@code text} in the outbox for a later run, without sending anything (the chat is failing). */
        void keep(String to, String text);

        /** The peer's key changed and the user has not confirmed it yet: texts to the peer wait until they do. */
        default boolean awaitsConfirmation(String to) {
            return false;
        }
    }

    /** One thing read: a line, or (line null) the end of input or {@code /quit}. */
    private record Input(String line, boolean quit) {
    }

    private final Messages messages;
    private final String peer;
    private final Reader in;
    private final PrintWriter out;
    private final int pollSeconds;
    private final Duration linger;

    public Chat(Messages messages, String peer, Reader in, PrintWriter out, int pollSeconds, Duration linger) {
        if (pollSeconds < 0 || linger.isNegative()) {
            throw new IllegalArgumentException("pollSeconds and linger are not negative");
        }
        this.messages = messages;
        this.peer = peer;
        this.in = in;
        this.out = out;
        this.pollSeconds = pollSeconds;
        this.linger = linger;
    }

    /**
     * Runs until {@code /quit} or the end of input; returns how many texts to the peer still wait. If a send or a
     * poll fails (the server refuses, the connection drops), the lines typed and not handed to the messenger yet are
     * kept in the outbox, and the user is told so, before the failure ends the chat.
     */
    public int run() throws InterruptedException {
        BlockingQueue<Input> typed = new LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> read(typed), "osms-chat-input");
        reader.setDaemon(true);
        reader.start();
        out.println("chat with " + peer + ": each line is sent end-to-end encrypted; " + QUIT
                + " or the end of input leaves. Messages from everyone are shown.");
        try {
            return talk(typed);
        } catch (RuntimeException failed) {
            keepTyped(typed, failed);
            throw failed;
        }
    }

    /**
     * The lines typed and not handled yet go to the outbox (up to a {@code /quit}); the user is told how many, and of
     * those that could not be kept (the outbox failing too, a full disk say), which stay a part of {@code failed}.
     */
    private void keepTyped(BlockingQueue<Input> typed, RuntimeException failed) {
        int kept = 0;
        int lost = 0;
        for (Input next = typed.poll(); next != null && !next.quit(); next = typed.poll()) {
            if (next.line() == null || next.line().isBlank()) {
                continue;
            }
            try {
                messages.keep(peer, next.line());
                kept++;
            } catch (RuntimeException notKept) {
                lost++;
                failed.addSuppressed(notKept);
            }
        }
        if (kept > 0) {
            out.println("(" + kept + " typed line" + (kept == 1 ? "" : "s") + " to " + peer + " kept in the outbox"
                    + " for the next `osms send`, `osms inbox` or `osms chat`)");
        }
        if (lost > 0) {
            out.println("(" + lost + " typed line" + (lost == 1 ? "" : "s") + " to " + peer + " could not be kept"
                    + " and " + (lost == 1 ? "was" : "were") + " NOT sent)");
        }
        out.flush();
    }

    private int talk(BlockingQueue<Input> typed) {
        messages.startWaiting();
        long inputEnded = 0;
        boolean ended = false;
        while (true) {
            for (Input next = typed.poll(); next != null; next = typed.poll()) {
                if (next.quit()) {
                    return finish();
                }
                if (next.line() == null) {
                    ended = true;
                    inputEnded = System.nanoTime();
                } else if (!next.line().isBlank() && !messages.send(peer, next.line())) {
                    out.println(messages.awaitsConfirmation(peer)
                            ? "(waiting until you confirm the new key of " + peer + ", as the notice above says)"
                            : "(waiting for the end-to-end conversation with " + peer + ")");
                }
            }
            if (ended && (messages.queued(peer).isEmpty() || System.nanoTime() - inputEnded >= linger.toNanos())) {
                return finish();
            }
            int before = messages.queued(peer).size();
            for (Messenger.Event e : messages.poll(pollSeconds)) {
                out.println(e.line());
            }
            int sent = before - messages.queued(peer).size();
            if (sent > 0) {
                out.println("(sent " + sent + " waiting text" + (sent == 1 ? "" : "s") + " to " + peer + ")");
            }
            out.flush();
        }
    }

    private int finish() {
        int left = messages.queued(peer).size();
        if (left > 0) {
            out.println(left + " text" + (left == 1 ? "" : "s") + " to " + peer + " still waiting for the "
                    + "end-to-end conversation: kept for the next `osms send`, `osms inbox` or `osms chat`.");
        }
        out.println("bye");
        out.flush();
        return left;
    }

    private void read(BlockingQueue<Input> typed) {
        try (BufferedReader lines = new BufferedReader(in)) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.strip().equals(QUIT)) {
                    typed.add(new Input(null, true));
                    return;
                }
                typed.add(new Input(line, false));
            }
        } catch (IOException e) {
            out.println("! cannot read input: " + e.getMessage());
        }
        typed.add(new Input(null, false));
    }
}
