package org.osms.protocol;

import java.util.List;

/**
 * {@code GET /audit?after=N&limit=M}: entries with sequence numbers greater than N, oldest first.
 *
 * @param entries   at most {@code limit} entries
 * @param headSeq   the sequence number of the newest entry in the whole log at the time of the request
 * @param nextAfter the {@code after} value of the next page; absent exactly when no more entries follow
 */
public record AuditPage(List<AuditRecord> entries, long headSeq, Long nextAfter) {
}
