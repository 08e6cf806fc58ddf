package org.osms.gob;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.osms.protocol.AuditPage;
import org.osms.protocol.AuditRecord;
import org.osms.protocol.ErrorDocument;
import org.osms.protocol.HistoryView;
import org.osms.protocol.ServerKeyHistoryView;
import org.osms.protocol.ServerKeyRecord;
import org.osms.protocol.ServerKeyView;
import org.osms.protocol.UserView;

/** The values of src/test/go/gobcheck's vectors, in Java, and random protocol values. */
final class GobSamples {
    private GobSamples() {
    }

    static byte[] bytesN(int n, int seed) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (seed + i);
        }
        return b;
    }

    static final AuditRecord FULL = new AuditRecord(2, 1795572740001L, 4127390018234411127L, "key_replaced", "alice",
            "alice", "5d0e3f1c9e7be1b2f1a0d9d2e6e44c61f0d17b9d", "a93d2093aff2ee9668358d2841180530047e3099",
            bytesN(40, 1), bytesN(300, 7), bytesN(32, 0), bytesN(32, 200));

    static final AuditRecord EXTREMES = new AuditRecord(Long.MAX_VALUE, Long.MIN_VALUE, 1, "registered", null, "z",
            null, "00000000000000000000000000000000000000ff", null, new byte[] {0}, bytesN(32, 9), bytesN(32, 255));

    /** Vector name to the Java value Go's vector encodes. */
    static Object vector(String name) {
        return switch (name) {
            case "server_key_view" -> new ServerKeyView(bytesN(20, 0), "aaf7a416772d34403a2a6504a64c83a0713775e1",
                    1795572738387L);
            case "server_key_history_view" -> new ServerKeyHistoryView(List.of(
                    new ServerKeyRecord(1, bytesN(20, 0), "aaf7a416772d34403a2a6504a64c83a0713775e1", 1795572738387L,
                            null, null),
                    new ServerKeyRecord(2, bytesN(20, 50), "0b1c2d3e4f5061728394a5b6c7d8e9f00112233a", 1795572799000L,
                            bytesN(46, 100), bytesN(45, 150))));
            case "user_view_active" -> new UserView("alice", "active", bytesN(64, 3),
                    "3f1c9e7be1b2f1a0d9d2e6e44c61f0d17b9d2a55");
            case "user_view_unpublished" -> new UserView("bob", "unpublished", null, null);
            case "audit_page" -> new AuditPage(List.of(FULL, EXTREMES), 300, 2L);
            case "audit_page_empty" -> new AuditPage(List.of(), 0, null);
            case "history_view" -> new HistoryView("alice", 4127390018234411127L, List.of(FULL), null);
            case "error_document" -> new ErrorDocument("bad_username",
                    "A username contains only the letters A-Z, a-z and the digits 0-9.");
            default -> throw new IllegalArgumentException(name);
        };
    }

    static final List<String> VECTORS = List.of("server_key_view", "server_key_history_view", "user_view_active", "user_view_unpublished",
            "audit_page", "audit_page_empty", "history_view", "error_document");

    // ---- random values: non-empty strings and non-zero numbers where gob's zero omission would blur the result

    static String text(Random r) {
        StringBuilder sb = new StringBuilder();
        int n = 1 + r.nextInt(40);
        for (int i = 0; i < n; i++) {
            sb.appendCodePoint(r.nextInt(10) == 0 ? 0x80 + r.nextInt(0x2000) : 'a' + r.nextInt(26));
        }
        return sb.toString();
    }

    static long number(Random r) {
        long v = switch (r.nextInt(4)) {
            case 0 -> r.nextInt(256) - 128;
            case 1 -> r.nextLong();
            case 2 -> r.nextBoolean() ? Long.MAX_VALUE : Long.MIN_VALUE;
            default -> r.nextInt();
        };
        return v == 0 ? 1 : v;
    }

    static byte[] bytes(Random r) {
        byte[] b = new byte[1 + r.nextInt(r.nextInt(10) == 0 ? 5000 : 64)];
        r.nextBytes(b);
        return b;
    }

    static AuditRecord record(Random r) {
        return new AuditRecord(number(r), number(r), number(r), text(r),
                r.nextBoolean() ? text(r) : null, text(r), r.nextBoolean() ? text(r) : null, text(r),
                r.nextBoolean() ? bytes(r) : null, bytes(r), bytes(r), bytes(r));
    }

    static List<AuditRecord> records(Random r) {
        List<AuditRecord> list = new ArrayList<>();
        int n = r.nextInt(6);
        for (int i = 0; i < n; i++) {
            list.add(record(r));
        }
        return List.copyOf(list);
    }

    /** A random value of a random protocol type. */
    static Object any(Random r) {
        return switch (r.nextInt(6)) {
            case 0 -> new ServerKeyView(bytes(r), text(r), number(r));
            case 1 -> new UserView(text(r), text(r), r.nextBoolean() ? bytes(r) : null, r.nextBoolean() ? text(r) : null);
            case 2 -> new AuditPage(records(r), number(r), r.nextBoolean() ? number(r) : null);
            case 3 -> new HistoryView(text(r), number(r), records(r), r.nextBoolean() ? number(r) : null);
            case 4 -> new ErrorDocument(text(r), text(r));
            default -> record(r);
        };
    }
}
