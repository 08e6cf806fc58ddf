package org.osms.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.osms.client.KeyStoreFiles;
import org.osms.otr.OtrConversation;
import org.osms.otr.OtrHandshakes;

class FetchPageTest {
    private static final String FINGERPRINT = "0123456789abcdef0123456789abcdef01234567";

    private static List<StoredMessage> page(int messages, int bodyLength) {
        List<StoredMessage> page = new ArrayList<>();
        for (int i = 1; i <= messages; i++) {
            page.add(new StoredMessage(7, i, 8, "alice0123456789ab", FINGERPRINT, 1_764_072_000_000L,
                    "?OTR:" + "A".repeat(bodyLength - 6) + "."));
        }
        return page;
    }

    /** What the server knows of these messages before it reads their bodies. */
    private static List<FetchPage.Size> sizes(List<StoredMessage> page) {
        return page.stream().map(m -> new FetchPage.Size(m.seq(), m.senderUsername().length(), m.body().length()))
                .toList();
    }

    private static int fitting(List<StoredMessage> page, int limit) {
        return FetchPage.fitting(sizes(page), limit, FetchPage.REPLY_BUDGET, true);
    }

    /** A later part of a reply (export's messages after its audit entries) may get none when there is no room. */
    @Test
    void withoutAtLeastOneNothingGoesThatDoesNotFit() {
        List<FetchPage.Size> long5 = sizes(page(5, FetchPage.REPLY_BUDGET));
        assertEquals(0, FetchPage.fitting(long5, 100, FetchPage.REPLY_BUDGET, false));
        assertEquals(1, FetchPage.fitting(long5, 100, FetchPage.REPLY_BUDGET, true));
        List<FetchPage.Size> short3 = sizes(page(3, 100));
        long one = short3.get(0).estimate();
        assertEquals(0, FetchPage.fitting(short3, 100, one - 1, false));
        assertEquals(1, FetchPage.fitting(short3, 100, one, false));
        assertEquals(2, FetchPage.fitting(short3, 100, 2 * one, false));
        assertEquals(1, FetchPage.fitting(short3, 100, -5, true), "even with the room used up");
        assertEquals(0, FetchPage.fitting(short3, 100, -5, false));
    }

    @Test
    void shortMessagesFillThePageUpToItsLimit() {
        assertEquals(100, fitting(page(101, 100), 100));
        assertEquals(3, fitting(page(3, 100), 100), "fewer waiting than the limit");
        assertEquals(10, fitting(page(101, 100), 10));
        assertEquals(0, fitting(page(0, 100), 100));
    }

    @Test
    void aPageEndsBeforeTheMessageThatWouldMakeTheReplyTooLong() {
        // chat-sized OTR data messages: 100 of them do not fit into one OTR message once encrypted
        int fitting = fitting(page(100, 420), 100);
        assertTrue(fitting < 100 && fitting > 50, "fitting: " + fitting);
        long used = page(fitting, 420).stream()
                .mapToLong(m -> FetchPage.estimate(m.senderUsername().length(), m.body().length())).sum();
        assertTrue(used <= FetchPage.REPLY_BUDGET);
        assertTrue(used + FetchPage.estimate("alice0123456789ab".length(), 420) > FetchPage.REPLY_BUDGET,
                "one more would not have fitted");
    }

    @Test
    void oneMessageAlwaysGoesEvenIfAloneItIsLong() {
        assertEquals(1, fitting(page(5, FetchPage.REPLY_BUDGET), 100));
    }

    @Test
    void theEstimateIsAtLeastWhatTheReplyTakes() {
        for (StoredMessage m : page(3, 420)) {
            String json = MailboxCommands.describe(m).build().toString();
            assertTrue(json.length() + 1 <= FetchPage.estimate(m.senderUsername().length(), m.body().length()),
                    json.length() + " characters, with the comma");
        }
        StoredMessage widest = new StoredMessage(Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE, "a".repeat(32),
                FINGERPRINT, Long.MIN_VALUE, "?OTRv3?");
        String json = MailboxCommands.describe(widest).build().toString();
        assertTrue(json.length() + 1 <= FetchPage.estimate(widest.senderUsername().length(), widest.body().length()),
                "the longest numbers");
    }

    /** The longest body a mailbox may be configured to accept, alone on a page, is one OTR message the client accepts. */
    @Test
    void theLongestBodyAMailboxAcceptsFitsIntoOneReplyFromTheLongestName() throws Exception {
        OtrConversation server = new OtrConversation("server", "client", KeyStoreFiles.generate());
        OtrConversation client = new OtrConversation("client", "server", KeyStoreFiles.generate());
        OtrHandshakes.run(client, server);
        StoredMessage longest = new StoredMessage(Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, "a".repeat(32),
                FINGERPRINT, Long.MAX_VALUE, "?OTR:" + "A".repeat(FetchPage.MAX_BODY_LENGTH - 6) + ".");
        assertEquals(FetchPage.MAX_BODY_LENGTH, longest.body().length());
        assertTrue(FetchPage.estimate(longest.senderUsername().length(), longest.body().length())
                <= FetchPage.REPLY_BUDGET);
        String reply = org.osms.protocol.JsonDocuments.JSON.createObjectBuilder().add("seq", Long.MAX_VALUE)
                .add("ok", true).add("messages", org.osms.protocol.JsonDocuments.JSON.createArrayBuilder()
                        .add(MailboxCommands.describe(longest))).add("nextAfter", Long.MAX_VALUE).build().toString();
        List<String> wire = server.send(reply);
        String last = wire.get(wire.size() - 1);
        assertTrue(last.length() <= OtrConversation.MAX_MESSAGE_LENGTH, last.length() + " characters");
        assertEquals(reply, client.receive(last).plaintext().orElseThrow());
    }

    /** The full page, as the server would encrypt it, is an OTR message the client accepts. */
    @Test
    void aFullPageEncryptedFitsIntoOneOtrMessage() throws Exception {
        OtrConversation server = new OtrConversation("server", "client", KeyStoreFiles.generate());
        OtrConversation client = new OtrConversation("client", "server", KeyStoreFiles.generate());
        OtrHandshakes.run(client, server);
        List<StoredMessage> page = page(100, 420);
        int fitting = fitting(page, 100);
        jakarta.json.JsonArrayBuilder messages = org.osms.protocol.JsonDocuments.JSON.createArrayBuilder();
        page.stream().limit(fitting).forEach(m -> messages.add(MailboxCommands.describe(m)));
        String reply = org.osms.protocol.JsonDocuments.JSON.createObjectBuilder().add("seq", Long.MAX_VALUE)
                .add("ok", true).add("messages", messages).add("nextAfter", Long.MAX_VALUE).build().toString();
        List<String> wire = server.send(reply);
        String last = wire.get(wire.size() - 1);
        assertTrue(last.length() <= OtrConversation.MAX_MESSAGE_LENGTH, last.length() + " characters");
        assertEquals(reply, client.receive(last).plaintext().orElseThrow());
    }
}
