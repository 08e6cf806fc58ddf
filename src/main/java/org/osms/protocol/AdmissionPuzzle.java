package org.osms.protocol;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;

/**
 * The client puzzle that admits a new conversation when the server is loaded (docs/protocol.md, "Admission"): the
 * server hands out an opaque {@code token} and a number of {@code bits}; the client finds a {@code counter} (decimal,
 * from 0) such that SHA-256 of the ASCII string {@code "OSMS-ADMISSION-1:" + token + ":" + counter} begins with that
 * many zero bits. The server checks it with one hash.
 */
public final class AdmissionPuzzle {
    /** Response header: the puzzle token; request header: the token being answered. */
    public static final String PUZZLE_HEADER = "OSMS-Puzzle";
    /** Response header: the difficulty in leading zero bits. */
    public static final String BITS_HEADER = "OSMS-Puzzle-Bits";
    /** Request header: the solution's counter. */
    public static final String COUNTER_HEADER = "OSMS-Puzzle-Counter";
    /** Optional: the zero bits the answer was searched for, when more than the puzzle asked (docs/protocol.md). */
    public static final String EFFORT_HEADER = "OSMS-Puzzle-Effort";
    public static final int MAX_BITS = 40;

    private AdmissionPuzzle() {
    }

    public static byte[] input(String token, long counter) {
        return ("OSMS-ADMISSION-1:" + token + ":" + counter).getBytes(StandardCharsets.US_ASCII);
    }

    public static boolean isSolved(String token, long counter, int bits) {
        return effort(token, counter) >= bits;
    }

    /** The leading zero bits of an answer's hash (at most 256); -1 for a negative counter. */
    public static int effort(String token, long counter) {
        if (counter < 0) {
            return -1;
        }
        try {
            return SessionProofs.leadingZeroBits(MessageDigest.getInstance("SHA-256").digest(input(token, counter)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static long solve(String token, int bits) {
        return solve(token, bits, () -> false);
    }

    /** As {@link #solve(String, int)}, but gives up (and returns -1) once {@code giveUp} says so. */
    public static long solve(String token, int bits, java.util.function.BooleanSupplier giveUp) {
        return solve(token, bits, bits, giveUp);
    }

    /**
     * The first counter whose hash has {@code wanted} leading zero bits (at least {@code bits}, the puzzle's
     * difficulty). The search for more than {@code bits} stops after twice the work {@code wanted} takes on average
     * (2^(wanted + 1) hashes), and the first counter that had {@code bits} is taken instead; so does {@code giveUp},
     * or it returns -1 when none had.
     */
    public static long solve(String token, int bits, int wanted, java.util.function.BooleanSupplier giveUp) {
        long extraSearch = wanted > bits ? 1L << Math.min(62, wanted + 1) : 0;
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        long enough = -1;
        for (long counter = 0; ; counter++) {
            int zeros = SessionProofs.leadingZeroBits(sha256.digest(input(token, counter)));
            if (zeros >= wanted) {
                return counter;
            }
            if (enough < 0 && zeros >= bits) {
                enough = counter;
            }
            if (enough >= 0 && counter >= extraSearch) {
                return enough;
            }
            if ((counter & 0xffff) == 0xffff && giveUp.getAsBoolean()) {
                return enough;
            }
        }
    }
}
