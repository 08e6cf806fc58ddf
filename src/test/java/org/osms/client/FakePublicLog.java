package org.osms.client;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osms.protocol.AuditEvent;
import org.osms.protocol.AuditPage;
import org.osms.protocol.AuditRecord;
import org.osms.protocol.HistoryView;

/**
 * A server's public record built the way the server builds it: each entry sealed with {@link AuditRecord#sealed()}
 * over the previous entry's hash, pages served like {@code GET /audit} and {@code GET /user/{name}/history}.
 */
final class FakePublicLog implements PublicLog.Pages {
    final List<AuditRecord> log = new ArrayList<>();
    /** Who holds each name now, as the directory would answer; a test may point a name elsewhere. */
    final Map<String, Long> holders = new HashMap<>();
    int auditPagesServed;
    int historyPagesServed;
    private long clock = 1_795_572_740_000L;

    static String fingerprint(char c) {
        return String.valueOf(c).repeat(40);
    }

    AuditRecord registered(long identity, String name, String fingerprint) {
        holders.put(name, identity);
        return append(identity, AuditEvent.REGISTERED, null, name, null, fingerprint);
    }

    AuditRecord replaced(long identity, String name, String before, String after) {
        return append(identity, AuditEvent.KEY_REPLACED, name, name, before, after);
    }

    AuditRecord renamed(long identity, String before, String after, String fingerprint) {
        holders.put(after, identity);
        return append(identity, AuditEvent.RENAMED, before, after, fingerprint, fingerprint);
    }

    AuditRecord revoked(long identity, String name, String fingerprint) {
        return append(identity, AuditEvent.KEY_REVOKED, name, name, fingerprint, fingerprint);
    }

    AuditRecord deleted(long identity, String name, String fingerprint) {
        return append(identity, AuditEvent.DELETED, name, name, fingerprint, null);
    }

    AuditRecord append(long identity, AuditEvent event, String nameBefore, String nameAfter, String fpBefore,
            String fpAfter) {
        clock += 1_000;
        byte[] prev = log.isEmpty() ? AuditRecord.genesisHash() : log.get(log.size() - 1).hash();
        AuditRecord r = new AuditRecord(log.size() + 1, clock, identity, event.wireName(), nameBefore, nameAfter,
                fpBefore, fpAfter, fpBefore == null ? null : key(fpBefore), fpAfter == null ? null : key(fpAfter),
                prev, null).sealed();
        log.add(r);
        return r;
    }

    /** Replaces entry {@code seq} by {@code changed}, keeping its stored hashes: what a rewrite of history does. */
    void tamper(long seq, AuditRecord changed) {
        AuditRecord old = log.get((int) seq - 1);
        log.set((int) seq - 1, new AuditRecord(old.seq(), changed.recordedAt(), changed.identityId(), changed.event(),
                changed.usernameBefore(), changed.usernameAfter(), changed.fingerprintBefore(),
                changed.fingerprintAfter(), changed.publicKeyBefore(), changed.publicKeyAfter(), old.prevHash(),
                old.hash()));
    }

    List<AuditRecord> entriesOf(long identity) {
        return log.stream().filter(e -> e.identityId() == identity).toList();
    }

    private static byte[] key(String fingerprint) {
        return fingerprint.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    @Override
    public AuditPage auditPage(long after, int limit) {
        auditPagesServed++;
        List<AuditRecord> page = log.stream().filter(e -> e.seq() > after).limit(limit).toList();
        boolean more = !page.isEmpty() && page.get(page.size() - 1).seq() < log.size();
        return new AuditPage(page, log.size(), more ? page.get(page.size() - 1).seq() : null);
    }

    @Override
    public HistoryView historyPage(String username, long after, int limit) {
        historyPagesServed++;
        Long identity = holders.get(username);
        if (identity == null) {
            throw new OsmsException(404, "unknown_user", "No identity holds this username.");
        }
        List<AuditRecord> all = entriesOf(identity).stream().filter(e -> e.seq() > after).toList();
        List<AuditRecord> page = all.stream().limit(limit).toList();
        Long next = all.size() > page.size() ? page.get(page.size() - 1).seq() : null;
        return new HistoryView(username, identity, page, next);
    }
}
