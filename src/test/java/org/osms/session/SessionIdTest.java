package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.osms.protocol.ProtocolException;

/**
 * SessionId held as its bits: the spelling it was parsed from comes back exactly, malformed headers are refused as
 * before, and ids are equal exactly when their spellings are.
 */
class SessionIdTest {
    private final SecureRandom random = new SecureRandom();

    @Test
    void anIssuedIdIsItsBytesInBase64urlWithoutPadding() {
        byte[] bytes = new byte[32];
        for (int i = 0; i < bytes.length; i++) {
            bytes[i] = (byte) (i * 37 + 200);
        }
        String spelled = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        SessionId id = SessionId.parse(spelled);
        assertEquals(spelled, id.value());
        assertEquals(0, id.tail());
        assertEquals(0xc8ed1237_5c81a6cbL, id.bits0());
        assertEquals(spelled.substring(0, 42), SessionId.random(new SecureRandom() {
            @Override
            public void nextBytes(byte[] out) {
                System.arraycopy(bytes, 0, out, 0, out.length);
            }
        }).value().substring(0, 42));
    }

    @Test
    void everySpellingRoundTrips() {
        for (int i = 0; i < 1000; i++) {
            SessionId issued = SessionId.random(random);
            String spelled = issued.value();
            assertEquals(43, spelled.length());
            assertEquals(32, Base64.getUrlDecoder().decode(spelled).length);
            assertEquals(issued, SessionId.parse(spelled));
            assertEquals(spelled, SessionId.parse(spelled).value());
        }
        for (String s : new String[] {"A".repeat(43), "_".repeat(43), "-".repeat(43), "Az09-_".repeat(7) + "B"}) {
            assertEquals(s, SessionId.parse(s).value());
        }
    }

    /**
     * The last character carries two bits beyond the 256: an id the server issued has them zero; any other spelling
     * of the same 256 bits is a well-formed id of its own that no conversation has.
     */
    @Test
    void aNonCanonicalTailIsADistinctId() {
        String canonical = SessionId.random(random).value();
        char last = canonical.charAt(42);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        Set<SessionId> spellings = new HashSet<>();
        for (int low = 0; low < 4; low++) {
            String s = canonical.substring(0, 42) + alphabet.charAt(alphabet.indexOf(last) | low);
            SessionId id = SessionId.parse(s);
            assertEquals(s, id.value());
            assertEquals(low, id.tail());
            spellings.add(id);
        }
        assertEquals(4, spellings.size(), "four spellings, four ids");
        assertEquals(true, spellings.contains(SessionId.parse(canonical)));
    }

    @ParameterizedTest
    @NullSource
    @ValueSource(strings = {
            "", // empty
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", // 42 characters
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", // 44 characters
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", // padding
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA+", // base64, not base64url
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/", // base64, not base64url
            "AAAAAAAAAAAAAAAAAAAAA AAAAAAAAAAAAAAAAAAAAA", // a space
            "AAAAAAAAAAAAAAAAAAAAAéAAAAAAAAAAAAAAAAAAAAA", // not ASCII
            "AAAAAAAAAAAAAAAAAAAAA\u0000AAAAAAAAAAAAAAAAAAAAA", // a control character
            "ＡAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", // a full-width letter
    })
    void malformedHeadersAreRefusedAsBadSession(String header) {
        ProtocolException e = assertThrows(ProtocolException.class, () -> SessionId.parse(header));
        assertEquals("bad_session", e.code());
    }

    @Test
    void equalsAndHashCodeFollowTheBits() {
        SessionId a = SessionId.random(random);
        SessionId same = SessionId.parse(a.value());
        assertEquals(a, same);
        assertEquals(a.hashCode(), same.hashCode());
        String s = a.value();
        char first = s.charAt(0);
        SessionId other = SessionId.parse((first == 'A' ? 'B' : 'A') + s.substring(1));
        assertNotEquals(a, other);
        assertNotEquals(a, SessionId.random(random));
    }

    @Test
    void theIdIsNeverPrinted() {
        SessionId id = SessionId.random(random);
        assertEquals("SessionId[redacted]", id.toString());
        assertEquals(false, id.toString().contains(id.value()));
    }

    @Test
    void aTailBeyondTwoBitsIsNoId() {
        assertThrows(IllegalArgumentException.class, () -> new SessionId(0, 0, 0, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> new SessionId(0, 0, 0, 0, -1));
    }
}
