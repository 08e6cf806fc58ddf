package org.osms.session;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.osms.protocol.RegistrationPuzzle;
import org.osms.protocol.RegistrationPuzzle.Difficulty;
import org.osms.web.ApiException;

/**
 * The registration puzzle on the server (docs/protocol.md, "Registration puzzle"): the difficulty announced to each
 * registration conversation rises by one bit for each doubling of the registrations of the last hour above
 * OSMS_REGISTRATION_RATE, up to OSMS_REGISTRATION_POW_MAX_BITS; a solution is checked with one Argon2id evaluation.
 * Few checks run at once, so a flood of bogus solutions cannot make the server hold many Argon2id buffers.
 */
@ApplicationScoped
public class RegistrationWork {
    static final int CONCURRENT_CHECKS = 2;
    private static final long CHECK_WAIT_SECONDS = 20;
    /** How often a waiting check looks whether its conversation still lives. */
    private static final long WAIT_SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    @Inject
    SessionSettings settings;

    @Inject
    Clock clock;

    final CheckTurns turns = new CheckTurns(CONCURRENT_CHECKS); // package-private for its unit test
    private RecentCount lastHour;

    @PostConstruct
    void start() {
        lastHour = new RecentCount(60, 60);
    }

    /** The difficulty a registration conversation whose handshake completes now must meet. */
    public synchronized Difficulty current() {
        int extra = RecentCount.extraBits(lastHour.total(clock.instant()), settings.registrationRatePerHour());
        int bits = (int) Math.min((long) settings.proofOfWorkBits() + extra, settings.proofOfWorkMaxBits());
        return new Difficulty(settings.proofOfWorkMemoryKiB(), settings.proofOfWorkIterations(), bits);
    }

    /** Counts one successful registration towards the rate. */
    public synchronized void registered() {
        lastHour.add(clock.instant());
    }

    /**
     * One Argon2id evaluation, with at most {@link #CONCURRENT_CHECKS} at a time, first come first served. A check
     * waits for its turn at most {@value #CHECK_WAIT_SECONDS} s ({@code busy}), and only while its conversation lives:
     * when {@code abandoned} turns true (the registry ended the conversation, say to make room for a newer one) it
     * gives up, so that the checks waiting are never more than the registration conversations alive, which Admission
     * bounds and shares among circuits.
     *
     * @throws Authority.Lost when the conversation was ended meanwhile: it is answered {@code 404 unknown_session}
     */
    public boolean isSolved(Difficulty difficulty, byte[] challenge, String username, String fingerprint,
                            long counter, BooleanSupplier abandoned) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CHECK_WAIT_SECONDS);
        CheckTurns.Wait wait;
        try {
            wait = turns.take(deadline, abandoned, WAIT_SLICE_NANOS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "busy", "The server is shutting down.");
        }
        if (wait == CheckTurns.Wait.GAVE_UP) {
            throw new Authority.Lost();
        }
        if (wait == CheckTurns.Wait.TIMED_OUT) {
            throw new SessionException.Busy("registrations being checked");
        }
        try {
            if (abandoned.getAsBoolean()) {
                throw new Authority.Lost(); // ended just as its turn came: the turn goes to the next
            }
            return RegistrationPuzzle.isSolved(difficulty, challenge, username, fingerprint, counter);
        } finally {
            turns.give();
        }
    }
}
