package org.osms.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class AuditChainTest {

    /** A chain of n entries built the way the server builds it. */
    static List<AuditRecord> chain(int n) {
        List<AuditRecord> out = new ArrayList<>();
        byte[] prev = AuditRecord.genesisHash();
        for (int i = 1; i <= n; i++) {
            AuditRecord r = new AuditRecord(i, 1_700_000_000_000L + i, 42, "renamed", "name" + i, "name" + (i + 1),
                    "aa".repeat(20), "bb".repeat(20), null, new byte[] {1, 2, 3}, prev, null).sealed();
            out.add(r);
            prev = r.hash();
        }
        return out;
    }

    @Test
    void anUntouchedChainRecomputes() {
        AuditChain verifier = new AuditChain();
        verifier.append(chain(5));
        assertEquals(5, verifier.lastSeq());
    }

    @Test
    void theCanonicalEncodingIsTheDocumentedOne() {
        AuditRecord r = new AuditRecord(1, 2, 3, "registered", null, "alice", null, "ab".repeat(20), null,
                new byte[] {9}, AuditRecord.genesisHash(), null);
        String hex = HexFormat.of().formatHex(r.canonicalBytes());
        String expected = HexFormat.of().formatHex("OSMS-AUDIT-1".getBytes(StandardCharsets.US_ASCII))
                + "0000000000000001" + "0000000000000002" + "0000000000000003"
                + "0000000a" + HexFormat.of().formatHex("registered".getBytes(StandardCharsets.US_ASCII))
                + "00" + "01" + "00000005" + HexFormat.of().formatHex("alice".getBytes(StandardCharsets.US_ASCII))
                + "00" + "01" + "00000028" + HexFormat.of().formatHex("ab".repeat(20).getBytes(StandardCharsets.US_ASCII))
                + "00" + "01" + "00000001" + "09"
                + "00".repeat(32);
        assertEquals(expected, hex);
        assertEquals(32, r.computeHash().length);
    }

    @Test
    void aChangedFieldIsDetected() {
        List<AuditRecord> entries = chain(3);
        AuditRecord e = entries.get(1);
        entries.set(1, new AuditRecord(e.seq(), e.recordedAt(), e.identityId(), e.event(), e.usernameBefore(),
                "mallory", e.fingerprintBefore(), e.fingerprintAfter(), e.publicKeyBefore(), e.publicKeyAfter(),
                e.prevHash(), e.hash()));
        AuditChain.BrokenChainException broken =
                assertThrows(AuditChain.BrokenChainException.class, () -> new AuditChain().append(entries));
        assertEquals(2, broken.seq());
    }

    @Test
    void aRemovedEntryIsDetected() {
        List<AuditRecord> entries = chain(3);
        entries.remove(1);
        assertEquals(3, assertThrows(AuditChain.BrokenChainException.class,
                () -> new AuditChain().append(entries)).seq());
    }

    @Test
    void aRehashedForgeryBreaksTheNextLink() {
        List<AuditRecord> entries = chain(3);
        AuditRecord e = entries.get(0);
        AuditRecord forged = new AuditRecord(e.seq(), e.recordedAt(), e.identityId(), e.event(), e.usernameBefore(),
                "mallory", e.fingerprintBefore(), e.fingerprintAfter(), e.publicKeyBefore(), e.publicKeyAfter(),
                e.prevHash(), null).sealed();
        entries.set(0, forged);
        assertEquals(2, assertThrows(AuditChain.BrokenChainException.class,
                () -> new AuditChain().append(entries)).seq());
    }

    @Test
    void verificationContinuesAcrossPages() {
        List<AuditRecord> entries = chain(6);
        AuditChain verifier = new AuditChain();
        verifier.append(entries.subList(0, 3));
        AuditChain resumed = new AuditChain(verifier.lastSeq(), verifier.lastHash());
        resumed.append(entries.subList(3, 6));
        assertArrayEquals(entries.get(5).hash(), resumed.lastHash());
    }
}
