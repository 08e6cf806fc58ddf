package org.osms.serverkey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.osms.protocol.ServerKeyHandover;

/**
 * The server key's history never grows past what a client follows ({@link ServerKeyHandover#MAX_KEYS}): a rotation
 * beyond it would strand every client pinned to an older key for good, since the history cannot shrink.
 */
class ServerKeyRotationLimitTest {
    @Test
    void theLastKeyAClientFollowsCanBeMadeAndNoneAfterIt() {
        assertEquals(ServerKeyRow.FIRST + 1, ServerKey.nextSerial(ServerKeyRow.FIRST));
        assertEquals(ServerKeyHandover.MAX_KEYS, ServerKey.nextSerial(ServerKeyHandover.MAX_KEYS - 1),
                "the history's longest: as many keys as a client follows");
        ServerKey.HistoryFull refused = assertThrows(ServerKey.HistoryFull.class,
                () -> ServerKey.nextSerial(ServerKeyHandover.MAX_KEYS));
        assertEquals("The server key has had 1000 keys, the longest history a client follows; it cannot be rotated"
                + " again.", refused.getMessage());
    }
}
