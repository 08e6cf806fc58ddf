package org.osms.protocol;

import java.util.List;

/**
 * {@code GET /pk/history}: every key the server has had, oldest first; the last one is the key of {@code GET /pk}.
 *
 * @param keys every key, in serial order (1, 2, 3 …)
 */
public record ServerKeyHistoryView(List<ServerKeyRecord> keys) {
}
