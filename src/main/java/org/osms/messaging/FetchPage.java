package org.osms.messaging;

import java.util.List;
import org.osms.otr.OtrConversation;
import org.osms.protocol.Username;

/**
 * How many waiting messages one {@code fetch} reply carries. The reply is one OTR data message, which the client
 * refuses beyond {@link OtrConversation#MAX_MESSAGE_LENGTH} characters (as the server refuses longer requests): a
 * page of 100 short chat messages (about 400 characters of OTR each, plus what the server says of the sender) is
 * already longer once encrypted and base64-encoded. So a page ends before the message that would take the reply's
 * plaintext past {@link #REPLY_BUDGET}, and {@code nextAfter} says more are waiting (docs/protocol.md, "Commands").
 */
public final class FetchPage {
    /**
     * Characters of a reply's messages: base64 makes 4 of every 3 bytes, and the data message adds its own fields
     * (about 250 bytes: headers, the next D-H key, counter, MAC) and the MAC keys it reveals (20 bytes each), so
     * 45,000 characters of plaintext stay well under 65,536 on the wire.
     */
    public static final int REPLY_BUDGET = 45_000;
    /**
     * What a message takes in the reply besides its sender's name, fingerprint and body: the members' names, three
     * numbers of at most 20 digits, quotes and punctuation (about 140 characters).
     */
    static final int PER_MESSAGE = 200;
    /** A fingerprint's 40 hex digits. */
    private static final int FINGERPRINT_LENGTH = 40;
    /**
     * The longest body a mailbox may accept ({@code OSMS_MAILBOX_MAX_BODY_BYTES} at most): one such message alone,
     * from the longest username, still fits into one reply, so that no stored message can be unfetchable.
     */
    public static final int MAX_BODY_LENGTH = REPLY_BUDGET - PER_MESSAGE - Username.MAX_LENGTH - FINGERPRINT_LENGTH;

    private FetchPage() {
    }

    /**
     * Characters a message takes in a {@code fetch} reply, at most: every part is ASCII that JSON does not escape
     * (the body is an OTR message, checked when it was sent; usernames and fingerprints are checked value types), and
     * a fingerprint is always {@value #FINGERPRINT_LENGTH} of them. Known before the body is read: the lengths of the
     * sender's name and of the body (the stored {@code body_length}) are all it needs.
     */
    public static long estimate(int senderLength, long bodyLength) {
        return PER_MESSAGE + senderLength + FINGERPRINT_LENGTH + bodyLength;
    }

    /** A waiting message's number, and what it takes in a reply ({@link #estimate}), known before its body is read. */
    record Size(long seq, int senderLength, long bodyLength) {
        long estimate() {
            return FetchPage.estimate(senderLength, bodyLength);
        }
    }

    /**
     * How many of {@code sizes}' first messages, at most {@code limit}, fit into {@code room} characters ({@link
     * #estimate}): with {@code atLeastOne}, always at least one of a list that is not empty, so that no message can
     * block its mailbox, however long it is.
     */
    static int fitting(List<Size> sizes, int limit, long room, boolean atLeastOne) {
        int n = 0;
        long used = 0;
        for (Size m : sizes) {
            if (n == limit) {
                break;
            }
            used += m.estimate();
            if ((n > 0 || !atLeastOne) && used > room) {
                break;
            }
            n++;
        }
        return n;
    }
}
