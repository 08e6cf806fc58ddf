package org.osms.protocol;

import java.util.Base64;
import java.util.regex.Pattern;

/**
 * What a mailbox accepts as a message body (docs/protocol.md, "Messaging"): exactly one whole OTR version 3 message
 * of the users' own conversation — a query, one of the four AKE messages, or a data message — and nothing else. The
 * relay enforces encryption too: a plaintext, a query with explanatory text, an OTR error message (free text) or a
 * fragment is refused. Only the envelope is read; what is inside stays opaque to the server.
 */
public final class OtrEnvelope {
    private static final Pattern ENCODED = Pattern.compile("\\?OTR:[A-Za-z0-9+/]+={0,2}\\.");

    /** The kinds of OTR v3 message a mailbox carries, with their message type bytes (OTR v3, "Data types"). */
    public enum Kind {
        QUERY(-1), DH_COMMIT(0x02), DATA(0x03), DH_KEY(0x0a), REVEAL_SIGNATURE(0x11), SIGNATURE(0x12);

        private final int type;

        Kind(int type) {
            this.type = type;
        }
    }

    private OtrEnvelope() {
    }

    /**
     * Whether {@code body} is exactly an OTR query offering version 3: {@code ?OTRv}, version digits 1 to 9 among
     * which a 3, then {@code ?}. One pass over the text: the regular expression it replaces,
     * {@code \\?OTRv[1-9]*3[1-9]*\\?}, backtracked quadratically on a long run of 3s without the closing {@code ?}
     * (seconds of CPU for one body of 64 KiB).
     */
    public static boolean isQuery(String body) {
        if (body == null || body.length() < 7 || !body.startsWith("?OTRv") || body.charAt(body.length() - 1) != '?') {
            return false;
        }
        boolean three = false;
        for (int i = 5; i < body.length() - 1; i++) {
            char c = body.charAt(i);
            if (c < '1' || c > '9') {
                return false;
            }
            three |= c == '3';
        }
        return three;
    }

    /** The kind of {@code body}; throws {@code not_otr} for anything that is not one whole OTR v3 message. */
    public static Kind kindOf(String body) {
        if (isQuery(body)) {
            return Kind.QUERY;
        }
        if (body == null || !ENCODED.matcher(body).matches()) {
            throw notOtr();
        }
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(body.substring(5, body.length() - 1));
        } catch (IllegalArgumentException e) {
            throw notOtr();
        }
        // protocol version (short) = 3, then the message type byte
        if (raw.length < 11 || raw[0] != 0 || raw[1] != 3) {
            throw notOtr();
        }
        for (Kind k : Kind.values()) {
            if (k.type == (raw[2] & 0xff)) {
                return k;
            }
        }
        throw notOtr();
    }

    private static ProtocolException notOtr() {
        return new ProtocolException("not_otr",
                "A message body must be one whole OTR version 3 message: a query, an AKE message or a data message.");
    }
}
