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
    public static final int MAX_BITS = 40;

    private AdmissionPuzzle() {
    }

    public static byte[] input(String token, long counter) {
        return ("OSMS-ADMISSION-1:" + token + ":" + counter).getBytes(StandardCharsets.US_ASCII);
    }

    public static boolean isSolved(String token, long counter, int bits) {
        if (counter < 0) {
            return false;
        }
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(input(token, counter));
            return SessionProofs.leadingZeroBits(hash) >= bits;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public static long solve(String token, int bits) {
        return solve(token, bits, () -> false);
    }

    /** As {@link #solve(String, int)}, but gives up (and returns -1) once {@code giveUp} says so. */
    public static long solve(String token, int bits, java.util.function.BooleanSupplier giveUp) {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        for (long counter = 0; ; counter++) {
            if (SessionProofs.leadingZeroBits(sha256.digest(input(token, counter))) >= bits) {
                return counter;
            }
            if ((counter & 0xffff) == 0xffff && giveUp.getAsBoolean()) {
                return -1;
            }
        }
    }
}
