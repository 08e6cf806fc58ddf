package org.osms.session;

import jakarta.ws.rs.container.AsyncResponse;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.osms.web.ApiException;

/**
 * When one waiting command's answer is made, and what the request gets if making it takes too long. The answer is
 * made once, on the executor, by whichever comes first: the wake-up (a message arrived) or the request's timeout
 * (its wait is over). From then on the request has {@link #ANSWER_SECONDS} to be answered: longer than a busy
 * conversation's access timeout (30 s), after which the bean call is answered 503 busy itself. Should the answer
 * still not be made then (the database slow as well), the request is answered {@code 503 unavailable} without
 * {@code Retry-After} (docs/protocol.md, "Long poll"), not left to the container, which would answer a bare 503 with
 * no error document. Not {@code busy}: that promises nothing was done, and a client would post the same OTR message
 * again, which the conversation refuses as a replay once the command has run.
 *
 * <p>A request's timeout that fires after a wake-up (the message came just before the wait was over, and its answer is
 * still being made) gets the same time, once: the answer it waits for is on its way.
 */
final class LongPoll {
    private static final Logger LOG = Logger.getLogger(LongPoll.class.getName());
    static final long ANSWER_SECONDS = 45;
    /**
     * How often a refused wake-up is logged at most: an executor that refuses work refuses it for every message stored
     * meanwhile, and a line for each would fill the log at the rate messages arrive.
     */
    static final Duration REFUSALS_LOGGED_EVERY = Duration.ofMinutes(1);

    private final Executor executor;
    private final Runnable answer;
    private final LogThrottle refusals;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean extended = new AtomicBoolean();

    /**
     * {@code answer} makes the answer and resumes the request with it (or with its refusal); run once at most.
     * {@code refusals} is shared by every long poll of the application, and counts the wake-ups the executor refused.
     */
    LongPoll(Executor executor, Runnable answer, LogThrottle refusals) {
        this.executor = executor;
        this.answer = answer;
        this.refusals = refusals;
    }

    /**
     * A message arrived: the answer is made now, unless the timeout already began it. Should the executor refuse the
     * answer, the wake-up did not happen: the request's timeout still answers it. Nothing is thrown to the caller,
     * which is whoever stored the message, or the request itself when the wake-up fires as it is registered.
     */
    void woken() {
        if (started.compareAndSet(false, true)) {
            try {
                executor.execute(answer);
            } catch (RuntimeException refused) {
                started.set(false);
                long leftOut = refusals.occurred(System.nanoTime());
                if (leftOut >= 0) {
                    LOG.log(Level.WARNING, "A waiting command could not be woken; its wait will answer it (refusals not"
                            + " logged since the last such line: {0}): {1}",
                            new Object[] {Long.toString(leftOut), refused.toString()});
                }
            }
        }
    }

    /** Whether the answer has been begun (by a wake-up or the timeout). */
    boolean started() {
        return started.get();
    }

    /**
     * The request's timeout fired (on the container's timeout thread, shared by every waiting request: nothing here
     * may block). A handler that neither resumes nor sets a new timeout would have the request answered 503 at once.
     */
    void timedOut(AsyncResponse request) {
        if (started.compareAndSet(false, true)) {
            extended.set(true);
            request.setTimeout(ANSWER_SECONDS, TimeUnit.SECONDS);
            executor.execute(answer); // as a wake-up: one command's busy bean must not delay everyone else's answer
        } else if (extended.compareAndSet(false, true)) {
            request.setTimeout(ANSWER_SECONDS, TimeUnit.SECONDS); // woken just before: its answer is being made
        } else {
            request.resume(new ApiException(503, "unavailable", "The answer to this waiting command was not ready in"
                    + " time; the command may have run: send the next one."));
        }
    }
}
