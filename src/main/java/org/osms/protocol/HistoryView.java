package org.osms.protocol;

import java.util.List;

/**
 * {@code GET /user/{username}/history}: the audit entries of the identity that holds the name now, oldest first,
 * including its earlier names and keys.
 *
 * @param username   the name asked for (canonical form)
 * @param identityId the identity's internal id, as recorded in the audit log
 * @param entries    a page of its entries
 * @param nextAfter  the {@code after} value of the next page; absent exactly when no more entries follow
 */
public record HistoryView(String username, long identityId, List<AuditRecord> entries, Long nextAfter) {
}
