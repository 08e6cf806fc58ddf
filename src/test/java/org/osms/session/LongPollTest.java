package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.ws.rs.container.AsyncResponse;
import jakarta.ws.rs.container.TimeoutHandler;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.osms.CapturedLog;
import org.osms.web.ApiException;

/**
 * A waiting command's answer is begun exactly once, by the wake-up or the timeout, whichever comes first, and the
 * request is never left to the container's bare 503: a timeout that finds the answer begun gives it time once, and
 * only a second one answers {@code 503 unavailable} (not {@code busy}, which would have the client post the command
 * again). The container's side is played by a request that records what is done to it, so that both orders of
 * wake-up and timeout can be run deterministically.
 */
class LongPollTest {
    private final List<Runnable> queued = new ArrayList<>();
    private int answersMade;
    private final LogThrottle refusals = new LogThrottle(LongPoll.REFUSALS_LOGGED_EVERY);
    private final LongPoll poll = new LongPoll(queued::add, () -> answersMade++, refusals);
    private final Request request = new Request();

    private void runQueued() {
        List<Runnable> now = new ArrayList<>(queued);
        queued.clear();
        now.forEach(Runnable::run);
    }

    @Test
    void theTimeoutBeginsTheAnswerOnTheExecutorAndGivesItTime() {
        poll.timedOut(request);
        assertEquals(List.of(LongPoll.ANSWER_SECONDS), request.timeouts, "45 s for the answer, not a 503 now");
        assertEquals(1, queued.size(), "made on the executor, not on the container's timeout thread");
        assertEquals(0, answersMade);
        poll.woken(); // a message arrives meanwhile
        runQueued();
        assertEquals(1, answersMade, "made once");
        assertTrue(request.resumed.isEmpty());
    }

    /** A wake-up whose answer the executor refuses did not begin it: the timeout still makes the answer, once. */
    @Test
    void aWakeUpTheExecutorRefusedLeavesTheAnswerToTheTimeout() {
        boolean[] refuse = {true};
        LongPoll refusing = new LongPoll(r -> {
            if (refuse[0]) {
                throw new java.util.concurrent.RejectedExecutionException("full");
            }
            queued.add(r);
        }, () -> answersMade++, refusals);
        refusing.woken(); // throws nothing at whoever stored the message, or at the request that registered the wait
        assertFalse(refusing.started(), "nothing was begun");
        refuse[0] = false;
        refusing.timedOut(request);
        assertEquals(List.of(LongPoll.ANSWER_SECONDS), request.timeouts, "45 s for the answer, not a 503 now");
        runQueued();
        assertEquals(1, answersMade);
        assertTrue(request.resumed.isEmpty());
    }

    @Test
    void aTimeoutJustAfterAWakeUpWaitsForTheAnswerBeingMade() {
        poll.woken();
        assertTrue(poll.started());
        poll.timedOut(request); // the wait ran out while the woken answer was still being made
        assertEquals(List.of(LongPoll.ANSWER_SECONDS), request.timeouts, "time for the answer on its way");
        assertTrue(request.resumed.isEmpty(), "not answered by the timeout");
        runQueued();
        assertEquals(1, answersMade, "only the wake-up's answer");
    }

    @Test
    void anAnswerNotReadyAfterItsTimeIsUnavailableNotBusy() {
        poll.timedOut(request);
        poll.timedOut(request); // 45 s later, still not answered
        assertEquals(List.of(LongPoll.ANSWER_SECONDS), request.timeouts, "extended once only");
        assertEquals(1, request.resumed.size());
        ApiException refusal = (ApiException) request.resumed.get(0);
        assertEquals(503, refusal.status());
        assertEquals("unavailable", refusal.code());
        assertEquals(-1, refusal.retryAfterSeconds(), "no Retry-After: the same request must not be posted again");
        assertEquals(1, queued.size(), "the answer begun is not begun twice");
    }

    @Test
    void theSameAfterAWakeUp() {
        poll.woken();
        poll.timedOut(request);
        poll.timedOut(request);
        assertEquals(List.of(LongPoll.ANSWER_SECONDS), request.timeouts);
        assertEquals("unavailable", ((ApiException) request.resumed.get(0)).code());
        poll.woken();
        assertEquals(1, queued.size(), "one answer, however many wake-ups");
    }

    /**
     * An executor that refuses work refuses the wake-up of every message stored meanwhile: one WARNING for the first,
     * none for the others within the minute, however many long polls they belong to (the throttle is the
     * application's, shared). Each refused wake-up still leaves its answer to its timeout.
     */
    @Test
    void refusedWakeUpsAreLoggedOnceAMinuteNotOnceEach() {
        List<LogRecord> records;
        List<LongPoll> polls = new ArrayList<>();
        try (CapturedLog log = CapturedLog.of(LongPoll.class)) {
            for (int i = 0; i < 50; i++) {
                LongPoll refused = new LongPoll(r -> {
                    throw new java.util.concurrent.RejectedExecutionException("full");
                }, () -> answersMade++, refusals);
                refused.woken();
                polls.add(refused);
            }
            records = log.records();
        }
        assertEquals(1, records.size(), "one line for 50 refusals within the minute");
        assertEquals(Level.WARNING, records.get(0).getLevel());
        assertEquals("A waiting command could not be woken; its wait will answer it (refusals not logged since the"
                + " last such line: 0): java.util.concurrent.RejectedExecutionException: full",
                java.text.MessageFormat.format(records.get(0).getMessage(), records.get(0).getParameters()));
        assertTrue(polls.stream().noneMatch(LongPoll::started), "every refused wake-up left its answer to the timeout");
        assertEquals(49, refusals.occurred(System.nanoTime() + LongPoll.REFUSALS_LOGGED_EVERY.toNanos()),
                "the next line, a minute on, counts the 49 left out");
    }

    /** What the long poll does to its request: the timeouts it sets and what it resumes it with. */
    private static final class Request implements AsyncResponse {
        final List<Long> timeouts = new ArrayList<>();
        final List<Object> resumed = new ArrayList<>();

        @Override
        public boolean setTimeout(long time, TimeUnit unit) {
            timeouts.add(unit.toSeconds(time));
            return true;
        }

        @Override
        public boolean resume(Object response) {
            resumed.add(response);
            return true;
        }

        @Override
        public boolean resume(Throwable response) {
            resumed.add(response);
            return true;
        }

        @Override
        public boolean cancel() {
            throw new AssertionError("a long poll is answered, never cancelled");
        }

        @Override
        public boolean cancel(int retryAfter) {
            return cancel();
        }

        @Override
        public boolean cancel(Date retryAfter) {
            return cancel();
        }

        @Override
        public boolean isSuspended() {
            return resumed.isEmpty();
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public boolean isDone() {
            return !resumed.isEmpty();
        }

        @Override
        public void setTimeoutHandler(TimeoutHandler handler) {
            throw new AssertionError("the resource sets the handler, not the long poll");
        }

        @Override
        public Collection<Class<?>> register(Class<?> callback) {
            throw new AssertionError("no callbacks");
        }

        @Override
        public Map<Class<?>, Collection<Class<?>>> register(Class<?> callback, Class<?>... callbacks) {
            throw new AssertionError("no callbacks");
        }

        @Override
        public Collection<Class<?>> register(Object callback) {
            throw new AssertionError("no callbacks");
        }

        @Override
        public Map<Class<?>, Collection<Class<?>>> register(Object callback, Object... callbacks) {
            throw new AssertionError("no callbacks");
        }
    }
}
