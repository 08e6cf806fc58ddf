package org.osms.protocol;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The proof of work of {@code register} (docs/protocol.md, "Registration puzzle"): find a {@code counter} such that
 * Argon2id, with the conversation's challenge as salt and the ASCII string
 * {@code "OSMS-REGISTER-2:" + username + ":" + fingerprint + ":" + counter} as password, gives 32 bytes that begin
 * with {@code bits} zero bits. Every attempt costs {@code memoryKiB} of memory for one Argon2id evaluation, which a
 * GPU cannot make much cheaper than a CPU does; the server checks a solution with one evaluation.
 */
public final class RegistrationPuzzle {
    public static final String ALGORITHM = "argon2id";
    /** Argon2's own lower bound for one lane. */
    public static final int MIN_MEMORY_KIB = 8;
    public static final int MAX_MEMORY_KIB = 4 * 1024 * 1024;
    public static final int MAX_ITERATIONS = 64;
    public static final int MAX_BITS = 32;
    public static final int OUTPUT_BYTES = 32;

    private RegistrationPuzzle() {
    }

    /** How hard one registration is: the Argon2id cost of each attempt, and how many attempts it takes on average. */
    public record Difficulty(int memoryKiB, int iterations, int bits) {
        public Difficulty {
            if (memoryKiB < MIN_MEMORY_KIB || memoryKiB > MAX_MEMORY_KIB) {
                throw new IllegalArgumentException("memoryKiB must be from " + MIN_MEMORY_KIB + " to "
                        + MAX_MEMORY_KIB);
            }
            if (iterations < 1 || iterations > MAX_ITERATIONS) {
                throw new IllegalArgumentException("iterations must be from 1 to " + MAX_ITERATIONS);
            }
            if (bits < 0 || bits > MAX_BITS) {
                throw new IllegalArgumentException("bits must be from 0 to " + MAX_BITS);
            }
        }

        /** Average number of Argon2id evaluations a solution takes. */
        public long expectedAttempts() {
            return 1L << bits;
        }
    }

    public static byte[] password(String username, String fingerprint, long counter) {
        return ("OSMS-REGISTER-2:" + username + ":" + fingerprint + ":" + counter).getBytes(StandardCharsets.US_ASCII);
    }

    /** One Argon2id evaluation (version 0x13, one lane, 32 bytes out). */
    public static byte[] evaluate(Difficulty d, byte[] challenge, String username, String fingerprint, long counter) {
        Argon2BytesGenerator argon2 = new Argon2BytesGenerator();
        argon2.init(new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                .withMemoryAsKB(d.memoryKiB())
                .withIterations(d.iterations())
                .withParallelism(1)
                .withSalt(challenge)
                .build());
        byte[] out = new byte[OUTPUT_BYTES];
        argon2.generateBytes(password(username, fingerprint, counter), out);
        return out;
    }

    public static boolean isSolved(Difficulty d, byte[] challenge, String username, String fingerprint, long counter) {
        return counter >= 0
                && SessionProofs.leadingZeroBits(evaluate(d, challenge, username, fingerprint, counter)) >= d.bits();
    }

    /**
     * Searches a counter with {@code threads} threads (each tries every {@code threads}-th counter); returns the
     * smallest one found by the thread that finished first.
     */
    public static long solve(Difficulty d, byte[] challenge, String username, String fingerprint, int threads) {
        return solve(d, challenge, username, fingerprint, threads, () -> false);
    }

    /** As the other {@code solve}, but gives up (and returns -1) once {@code giveUp} says so, between evaluations. */
    public static long solve(Difficulty d, byte[] challenge, String username, String fingerprint, int threads,
                             java.util.function.BooleanSupplier giveUp) {
        if (threads <= 1) {
            for (long counter = 0; !giveUp.getAsBoolean(); counter++) {
                if (isSolved(d, challenge, username, fingerprint, counter)) {
                    return counter;
                }
            }
            return -1;
        }
        AtomicLong found = new AtomicLong(-1);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "osms-registration-puzzle");
            t.setDaemon(true);
            return t;
        });
        try {
            for (int start = 0; start < threads; start++) {
                long first = start;
                pool.execute(() -> {
                    for (long counter = first; found.get() < 0 && !Thread.currentThread().isInterrupted()
                            && !giveUp.getAsBoolean(); counter += threads) {
                        if (isSolved(d, challenge, username, fingerprint, counter)) {
                            found.compareAndSet(-1, counter);
                        }
                    }
                });
            }
            pool.shutdown();
            pool.awaitTermination(Long.MAX_VALUE, java.util.concurrent.TimeUnit.DAYS);
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while solving the registration puzzle", e);
        }
        return found.get();
    }
}
