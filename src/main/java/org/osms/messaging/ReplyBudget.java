package org.osms.messaging;

import jakarta.json.JsonValue;

/**
 * Characters of one reply's plaintext still free ({@link FetchPage#REPLY_BUDGET} at first), for the replies built of
 * several paged parts ({@code export}, {@code blocked}); JSON's punctuation between the parts is counted generously.
 */
final class ReplyBudget {
    private static final int SEPARATORS = 40;
    private int left;

    ReplyBudget(int characters) {
        left = characters;
    }

    /**
     * Characters still free. A message that fits by {@link FetchPage#estimate} also fits when taken: the estimate
     * counts more than the message's JSON and this budget's separator together.
     */
    long left() {
        return left;
    }

    boolean fits(JsonValue part) {
        return fits(part.toString().length());
    }

    boolean fits(long characters) {
        return characters + SEPARATORS <= left;
    }

    <T extends JsonValue> T take(T part) {
        left -= part.toString().length() + SEPARATORS;
        return part;
    }
}
