package org.osms.otr;

import java.util.HashMap;
import java.util.Map;

/**
 * OTR v3's replay rule for data messages: under one pair of key ids (the sender's and the recipient's) the top half
 * of the counter must be strictly larger than in every message received before, so a message accepted once is
 * refused when it comes again. Counters are recorded only for messages that decrypted and verified: a forged message
 * with a large counter cannot lock the real sender out.
 *
 * <p>otr4j keeps keys for the two newest key ids on each side; a pair older than that can no longer decrypt
 * anything, so its counter is forgotten and the map stays at a handful of entries however long the conversation.
 */
final class ReceivedCounters {
    private record KeyPairIds(int senderKeyId, int recipientKeyId) {
    }

    /** Made at the first accepted data message: a conversation that only logged in and waits keeps no map. */
    private Map<KeyPairIds, Long> last;
    private int newestSender;
    private int newestRecipient;

    /** Whether this message's counter is larger than the last one accepted under its key pair. */
    boolean isFresh(OtrEncodedMessage.DataHeader header) {
        Long previous = last == null ? null : last.get(new KeyPairIds(header.senderKeyId(), header.recipientKeyId()));
        // unsigned: OTR's counter is an 8-byte unsigned number; 0 is never valid (counters start at 1)
        return Long.compareUnsigned(header.counter(), previous == null ? 0 : previous) > 0;
    }

    /** Records the counter of a message that decrypted and verified. */
    void accepted(OtrEncodedMessage.DataHeader header) {
        if (last == null) {
            last = new HashMap<>();
        }
        last.put(new KeyPairIds(header.senderKeyId(), header.recipientKeyId()), header.counter());
        newestSender = Math.max(newestSender, header.senderKeyId());
        newestRecipient = Math.max(newestRecipient, header.recipientKeyId());
        last.keySet().removeIf(k -> k.senderKeyId() < newestSender - 1 || k.recipientKeyId() < newestRecipient - 1);
    }

    int size() {
        return last == null ? 0 : last.size();
    }
}
