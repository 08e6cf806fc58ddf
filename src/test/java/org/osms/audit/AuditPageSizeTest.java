package org.osms.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.osms.protocol.AuditRecord;

/** A page's budget counts each entry by the length of its canonical encoding, computed without building it. */
class AuditPageSizeTest {
    @Test
    void theLengthIsThatOfTheCanonicalEncodingAndTheHash() {
        Random random = new Random(7);
        for (int i = 0; i < 2000; i++) {
            AuditRecord r = new AuditRecord(random.nextLong() & Long.MAX_VALUE, random.nextLong(), random.nextLong(),
                    random.nextBoolean() ? "registered" : "key_replaced", text(random), text(random), text(random),
                    text(random), bytes(random), bytes(random), new byte[AuditRecord.HASH_LENGTH], null).sealed();
            assertEquals(r.canonicalBytes().length + AuditRecord.HASH_LENGTH, AuditLog.Page.encodedLength(r));
        }
    }

    private static String text(Random random) {
        if (random.nextInt(3) == 0) {
            return null;
        }
        StringBuilder s = new StringBuilder();
        for (int n = random.nextInt(40); n > 0; n--) {
            s.appendCodePoint(random.nextInt(4) == 0 ? 0x4e00 + random.nextInt(500) : 'a' + random.nextInt(26));
        }
        return s.toString();
    }

    private static byte[] bytes(Random random) {
        if (random.nextInt(3) == 0) {
            return null;
        }
        byte[] b = new byte[random.nextInt(1200)];
        random.nextBytes(b);
        return b;
    }
}
