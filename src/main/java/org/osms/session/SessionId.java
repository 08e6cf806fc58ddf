package org.osms.session;

import java.nio.ByteBuffer;
import java.security.SecureRandom;
import org.osms.protocol.ProtocolException;

/**
 * An unguessable conversation handle: 256 random bits, base64url without padding (43 characters).
 *
 * <p>Held as its bits, not as its spelling: every live conversation keeps its id as its registry key (an unfinished
 * handshake in admission too), and four longs are a third of a 43-character string. 43 characters carry 258 bits,
 * the 256 of the id and two more, the low bits of the last character, which an id the server issues leaves zero
 * ({@code tail}). A header whose tail is not zero is a well-formed spelling of no issued id: it parses to an id of
 * its own, distinct from the one with the same 256 bits, so that parsing is exact and {@link #value()} gives back
 * the header as sent.
 */
public record SessionId(long bits0, long bits1, long bits2, long bits3, int tail) {
    private static final int CHARACTERS = 43;
    private static final char[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".toCharArray();
    /** The value of each base64url character, -1 for every other character below 128. */
    private static final byte[] VALUES = new byte[128];

    static {
        java.util.Arrays.fill(VALUES, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            VALUES[ALPHABET[i]] = (byte) i;
        }
    }

    public SessionId {
        if (tail < 0 || tail > 3) {
            throw new IllegalArgumentException("a session id's tail is two bits");
        }
    }

    /** The id an OSMS-Session header names; {@code bad_session} when it is missing or not 43 base64url characters. */
    public static SessionId parse(String header) {
        if (header == null || header.length() != CHARACTERS) {
            throw malformed();
        }
        long[] bits = new long[4];
        int tail = 0;
        for (int i = 0; i < CHARACTERS; i++) {
            char c = header.charAt(i);
            int v = c < VALUES.length ? VALUES[c] : -1;
            if (v < 0) {
                throw malformed();
            }
            for (int k = 5; k >= 0; k--) { // most significant bit first
                int position = i * 6 + 5 - k;
                long bit = (v >>> k) & 1;
                if (position < 256) {
                    bits[position >>> 6] |= bit << (63 - (position & 63));
                } else {
                    tail = tail << 1 | (int) bit;
                }
            }
        }
        return new SessionId(bits[0], bits[1], bits[2], bits[3], tail);
    }

    public static SessionId random(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        return new SessionId(b.getLong(), b.getLong(), b.getLong(), b.getLong(), 0);
    }

    /** The id's spelling: what the server sends in OSMS-Session, and what {@link #parse} read. */
    public String value() {
        long[] bits = {bits0, bits1, bits2, bits3};
        char[] out = new char[CHARACTERS];
        for (int i = 0; i < CHARACTERS; i++) {
            int v = 0;
            for (int k = 0; k < 6; k++) {
                int position = i * 6 + k;
                long bit = position < 256 ? bits[position >>> 6] >>> (63 - (position & 63)) & 1
                        : tail >>> (257 - position) & 1;
                v = v << 1 | (int) bit;
            }
            out[i] = ALPHABET[v];
        }
        return new String(out);
    }

    private static ProtocolException malformed() {
        return new ProtocolException("bad_session", "The OSMS-Session header is missing or malformed.");
    }

    @Override
    public String toString() {
        // Session ids are bearer-like handles: never print them.
        return "SessionId[redacted]";
    }
}
