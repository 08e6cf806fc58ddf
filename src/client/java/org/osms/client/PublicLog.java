package org.osms.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.osms.protocol.AuditChain;
import org.osms.protocol.AuditPage;
import org.osms.protocol.AuditRecord;
import org.osms.protocol.HistoryView;

/**
 * Reads the server's public record page by page (docs/protocol.md, "The audit log"): the whole audit log, with its
 * hash chain recomputed, and one identity's history. The server is not trusted to page honestly: a page longer than
 * asked, a {@code nextAfter} that does not move forward or is not the page's last entry, entries out of order or of
 * another identity are refused with {@code bad_response} — a hostile server can neither make the client loop
 * forever nor slip an entry past the checks.
 */
public final class PublicLog {
    /** Entries asked per page: the most the server gives. */
    public static final int PAGE = 1000;
    /** No honest log comes near this; a server that keeps paging beyond it is refused. */
    static final long MAX_ENTRIES = 100_000_000L;

    /** Where the pages come from: the server ({@link OsmsClient}), or a test. */
    public interface Pages {
        /** {@code GET /audit?after=N&limit=M}. */
        AuditPage auditPage(long after, int limit);

        /** {@code GET /user/{username}/history?after=N&limit=M}. */
        HistoryView historyPage(String username, long after, int limit);
    }

    private PublicLog() {
    }

    /**
     * An entry this client verified before ({@code osms audit} keeps one per server): the log may grow after it but
     * must still hold exactly that entry, or it was rewritten — a rewrite that recomputes every hash still verifies as
     * a chain, so only what was seen before can tell.
     */
    public record Checkpoint(long seq, byte[] hash) {
        public Checkpoint {
            if (seq < 1 || hash == null || hash.length != AuditRecord.HASH_LENGTH) {
                throw new IllegalArgumentException("a checkpoint is a sequence number and a 32-byte hash");
            }
            hash = hash.clone();
        }
    }

    /**
     * Downloads the whole log and recomputes its hash chain, handing each entry to {@code verified} once it (and every
     * entry before it) verifies. Throws {@link AuditChain.BrokenChainException} at the first entry that does not fit,
     * {@link OsmsException} ({@code bad_response}) when the paging itself is not honest.
     */
    public static AuditChain verify(Pages pages, Consumer<AuditRecord> verified) {
        return verify(pages, verified, Optional.empty());
    }

    /**
     * {@link #verify(Pages, Consumer)}, and the log must hold the entry of {@code seen} unchanged; otherwise
     * {@link OsmsException} with the code {@code audit_rewritten}.
     */
    public static AuditChain verify(Pages pages, Consumer<AuditRecord> verified, Optional<Checkpoint> seen) {
        Consumer<AuditRecord> checked = seen.map(c -> (Consumer<AuditRecord>) e -> {
            if (e.seq() == c.seq() && !java.security.MessageDigest.isEqual(e.hash(), c.hash())) {
                throw rewritten(c);
            }
            verified.accept(e);
        }).orElse(verified);
        AuditChain chain = verifyChain(pages, checked);
        if (seen.isPresent() && chain.lastSeq() < seen.get().seq()) {
            throw rewritten(seen.get());
        }
        return chain;
    }

    private static OsmsException rewritten(Checkpoint c) {
        return new OsmsException(0, "audit_rewritten", "The audit log was rewritten: entry " + c.seq()
                + " is not the one verified before.");
    }

    private static AuditChain verifyChain(Pages pages, Consumer<AuditRecord> verified) {
        AuditChain chain = new AuditChain();
        long after = 0;
        while (true) {
            AuditPage page = pages.auditPage(after, PAGE);
            List<AuditRecord> entries = page.entries();
            checkPage(entries, after, page.nextAfter());
            chain.append(entries);
            entries.forEach(verified);
            if (page.nextAfter() == null) {
                return chain;
            }
            after = page.nextAfter();
            if (after > MAX_ENTRIES) {
                throw refused("the audit log goes on beyond " + MAX_ENTRIES + " entries");
            }
        }
    }

    /** Every page of {@code username}'s history, as one view; the identity must be the same on every page. */
    public static HistoryView history(Pages pages, String username) {
        List<AuditRecord> all = new ArrayList<>();
        Long identityId = null;
        long after = 0;
        while (true) {
            HistoryView page = pages.historyPage(username, after, PAGE);
            checkPage(page.entries(), after, page.nextAfter());
            if (identityId != null && identityId != page.identityId()) {
                throw refused("the pages of a history name different identities");
            }
            identityId = page.identityId();
            for (AuditRecord e : page.entries()) {
                if (e.identityId() != identityId) {
                    throw refused("a history holds an entry of another identity");
                }
            }
            all.addAll(page.entries());
            if (page.nextAfter() == null) {
                return new HistoryView(page.username(), identityId, List.copyOf(all), null);
            }
            after = page.nextAfter();
            if (all.size() > MAX_ENTRIES) {
                throw refused("a history goes on beyond " + MAX_ENTRIES + " entries");
            }
        }
    }

    /** At most a page, strictly increasing after {@code after}, and a {@code nextAfter} that is its last entry. */
    private static void checkPage(List<AuditRecord> entries, long after, Long nextAfter) {
        if (entries.size() > PAGE) {
            throw refused("a page holds " + entries.size() + " entries, more than the " + PAGE + " asked for");
        }
        long last = after;
        for (AuditRecord e : entries) {
            if (e.seq() <= last) {
                throw refused("the entries of a page are not in increasing order after " + after);
            }
            last = e.seq();
        }
        if (nextAfter != null && (entries.isEmpty() || nextAfter != last)) {
            throw refused("a page's nextAfter is not its last entry");
        }
    }

    private static OsmsException refused(String why) {
        return new OsmsException(0, "bad_response", "The server's public log is not paged honestly: " + why + ".");
    }
}
