package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.security.KeyPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osms.protocol.Username;

/**
 * A server whose paging does not move on (a {@link FakeServer} answering every page with the cursor it was given):
 * the client refuses it, instead of asking for the same page and gathering its entries for ever.
 */
class CircularPagingTest {
    private static final KeyPair ALICE = KeyStoreFiles.generate();
    private FakeServer server;
    private OsmsClient.Session session;

    @BeforeEach
    void aliceIsLoggedIn() throws Exception {
        server = new FakeServer();
        server.register("alice", 11, ALICE);
        session = new OsmsClient(server.uri()).login(Username.of("alice"), ALICE, server.serverKey());
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void aBlockListThatDoesNotMoveOnIsRefused() {
        assertEquals("bad_response", assertThrows(OsmsException.class, session::blocked).code());
        assertEquals(1, server.commands.stream().filter("blocked"::equals).count(), "one page asked, not more");
    }

    @Test
    void anExportThatDoesNotMoveOnIsRefused() {
        assertEquals("bad_response", assertThrows(OsmsException.class, session::export).code());
        assertEquals(2, server.commands.stream().filter("export"::equals).count(),
                "the first page completes the other parts (that is moving on); the second moves nothing");
    }
}
