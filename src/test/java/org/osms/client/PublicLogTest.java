package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.osms.protocol.AuditChain;
import org.osms.protocol.AuditPage;
import org.osms.protocol.AuditRecord;
import org.osms.protocol.HistoryView;

class PublicLogTest {

    private static FakePublicLog logOf(int identities) {
        FakePublicLog log = new FakePublicLog();
        for (int i = 1; i <= identities; i++) {
            log.registered(i, "user" + i, String.format("%040x", i));
        }
        return log;
    }

    @Test
    void theWholeLogIsReadPageByPageAndEveryEntryHandedOutOnce() {
        FakePublicLog log = logOf(2_500);
        List<AuditRecord> seen = new ArrayList<>();
        AuditChain chain = PublicLog.verify(log, seen::add);
        assertEquals(log.log, seen);
        assertEquals(2_500, chain.lastSeq());
        assertEquals(3, log.auditPagesServed, "1000 + 1000 + 500, and no empty page after the last");
    }

    @Test
    void entriesAreHandedOutOnlyOnceTheirPageVerifies() {
        FakePublicLog log = logOf(2_500);
        AuditRecord e = log.log.get(1_499);
        log.tamper(1_500, new AuditRecord(0, e.recordedAt(), e.identityId(), e.event(), null, "mallory", null,
                e.fingerprintAfter(), null, e.publicKeyAfter(), null, null));
        List<AuditRecord> seen = new ArrayList<>();
        AuditChain.BrokenChainException broken = assertThrows(AuditChain.BrokenChainException.class,
                () -> PublicLog.verify(log, seen::add));
        assertEquals(1_500, broken.seq());
        assertEquals(log.log.subList(0, 1_000), seen, "only the first page, which verified");
    }

    @Test
    void aServerThatNeverEndsItsPagingIsRefusedNotFollowedForever() {
        FakePublicLog log = logOf(3);
        PublicLog.Pages stuck = new PublicLog.Pages() {
            @Override
            public AuditPage auditPage(long after, int limit) {
                // always the first page again, claiming more follow
                return new AuditPage(log.log.subList(0, 2), 3, 2L);
            }

            @Override
            public HistoryView historyPage(String username, long after, int limit) {
                throw new AssertionError();
            }
        };
        OsmsException refused = assertTimeoutPreemptively(Duration.ofSeconds(5),
                () -> assertThrows(OsmsException.class, () -> PublicLog.verify(stuck, e -> { })));
        assertEquals("bad_response", refused.code());
    }

    @Test
    void aPageLongerThanAskedForOrWithAWrongNextAfterIsRefused() {
        FakePublicLog log = logOf(1_001);
        PublicLog.Pages huge = pagesOf(new AuditPage(log.log, 1_001, null));
        assertEquals("bad_response", assertThrows(OsmsException.class, () -> PublicLog.verify(huge, e -> { }))
                .code());
        PublicLog.Pages wrongNext = pagesOf(new AuditPage(log.log.subList(0, 3), 1_001, 2L));
        assertEquals("bad_response", assertThrows(OsmsException.class,
                () -> PublicLog.verify(wrongNext, e -> { })).code());
        PublicLog.Pages emptyButMore = pagesOf(new AuditPage(List.of(), 1_001, 5L));
        assertEquals("bad_response", assertThrows(OsmsException.class,
                () -> PublicLog.verify(emptyButMore, e -> { })).code());
    }

    @Test
    void aHistoryIsCollectedOverItsPagesAndMustStayWithOneIdentity() {
        FakePublicLog log = new FakePublicLog();
        log.registered(7, "alice", FakePublicLog.fingerprint('a'));
        for (int i = 0; i < 1_200; i++) {
            log.renamed(7, i % 2 == 0 ? "alice" : "alice2", i % 2 == 0 ? "alice2" : "alice",
                    FakePublicLog.fingerprint('a'));
        }
        log.holders.put("alice", 7L);
        HistoryView all = PublicLog.history(log, "alice");
        assertEquals(log.entriesOf(7), all.entries());
        assertEquals(7, all.identityId());
        assertEquals(2, log.historyPagesServed);

        log.registered(8, "bob", FakePublicLog.fingerprint('b'));
        PublicLog.Pages mixed = new PublicLog.Pages() {
            @Override
            public AuditPage auditPage(long after, int limit) {
                throw new AssertionError();
            }

            @Override
            public HistoryView historyPage(String username, long after, int limit) {
                return new HistoryView(username, 7, List.of(log.log.get(0), log.log.get(log.log.size() - 1)), null);
            }
        };
        assertEquals("bad_response", assertThrows(OsmsException.class, () -> PublicLog.history(mixed, "alice"))
                .code(), "an entry of identity 8 in identity 7's history");
    }

    /** What the client makes of malformed JSON pages from a real HTTP server: a refusal, never a crash. */
    @ParameterizedTest
    @ValueSource(strings = {
        "not json",
        "[]",
        "{\"headSeq\":1}",
        "{\"entries\":\"x\",\"headSeq\":1}",
        "{\"entries\":[{\"seq\":1}],\"headSeq\":1}",
        "{\"entries\":[{\"seq\":\"1\",\"recordedAt\":1,\"identityId\":1,\"event\":\"registered\","
                + "\"prevHash\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\","
                + "\"hash\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}],\"headSeq\":1}",
        "{\"entries\":[{\"seq\":1,\"recordedAt\":1,\"identityId\":1,\"event\":\"registered\","
                + "\"prevHash\":\"AAAA\",\"hash\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\"}],\"headSeq\":1}",
        "{\"entries\":[{\"seq\":1,\"recordedAt\":1,\"identityId\":1,\"event\":\"registered\","
                + "\"prevHash\":\"not base64!\",\"hash\":\"AAAA\"}],\"headSeq\":1}",
        "{\"entries\":[],\"headSeq\":1,\"nextAfter\":1e400}",
        "{\"entries\":[],\"headSeq\":99999999999999999999}"})
    void aMalformedPageIsABadResponse(String body) throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        try {
            OsmsClient client = new OsmsClient(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
            OsmsException e = assertThrows(OsmsException.class, client::verifiedAuditLog);
            assertEquals("bad_response", e.code());
        } finally {
            server.stop(0);
        }
    }

    private static PublicLog.Pages pagesOf(AuditPage page) {
        return new PublicLog.Pages() {
            @Override
            public AuditPage auditPage(long after, int limit) {
                return page;
            }

            @Override
            public HistoryView historyPage(String username, long after, int limit) {
                throw new AssertionError();
            }
        };
    }
}
