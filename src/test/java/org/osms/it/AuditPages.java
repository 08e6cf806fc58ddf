package org.osms.it;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.osms.protocol.AuditChain;
import org.osms.protocol.AuditRecord;

/** Reads the public audit log page by page, as any auditor would, and recomputes the hash chain. */
public final class AuditPages {
    private AuditPages() {
    }

    /** Every entry, oldest first, fetched in pages of {@code pageSize}. */
    public static List<AuditRecord> readAll(Http http, int pageSize) {
        List<AuditRecord> all = new ArrayList<>();
        long after = 0;
        while (true) {
            Http.Answer a = http.get("/audit?after=" + after + "&limit=" + pageSize);
            if (a.status() != 200) {
                throw new AssertionError("GET /audit answered " + a.status() + ": " + a.body());
            }
            JsonObject page = a.json();
            for (JsonValue v : page.getJsonArray("entries")) {
                all.add(record(v.asJsonObject()));
            }
            if (!page.containsKey("nextAfter")) {
                return all;
            }
            after = page.getJsonNumber("nextAfter").longValue();
        }
    }

    /** Recomputes the chain over every published entry; throws at the first entry that does not fit. */
    public static AuditChain verifyWholeLog(Http http, int pageSize) {
        AuditChain chain = new AuditChain();
        chain.append(readAll(http, pageSize));
        return chain;
    }

    public static AuditRecord record(JsonObject o) {
        return new AuditRecord(o.getJsonNumber("seq").longValue(), o.getJsonNumber("recordedAt").longValue(),
                o.getJsonNumber("identityId").longValue(), o.getString("event"),
                o.getString("usernameBefore", null), o.getString("usernameAfter", null),
                o.getString("fingerprintBefore", null), o.getString("fingerprintAfter", null),
                bytes(o, "publicKeyBefore"), bytes(o, "publicKeyAfter"), bytes(o, "prevHash"), bytes(o, "hash"));
    }

    private static byte[] bytes(JsonObject o, String name) {
        return o.containsKey(name) ? Base64.getDecoder().decode(o.getString(name)) : null;
    }
}
