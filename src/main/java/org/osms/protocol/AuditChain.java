package org.osms.protocol;

import java.security.MessageDigest;
import java.util.List;

/**
 * Recomputes the audit hash chain: what any member of the public does with the pages of {@code GET /audit} to
 * check that no entry was altered, removed, reordered or forked.
 */
public final class AuditChain {
    private byte[] lastHash;
    private long lastSeq;

    /** A verifier that starts at the very first entry. */
    public AuditChain() {
        this(0, AuditRecord.genesisHash());
    }

    /** A verifier that continues after an entry already verified. */
    public AuditChain(long lastSeq, byte[] lastHash) {
        this.lastSeq = lastSeq;
        this.lastHash = lastHash.clone();
    }

    /** Checks the next entries in order; throws {@link BrokenChainException} at the first that does not fit. */
    public void append(List<AuditRecord> entries) {
        for (AuditRecord e : entries) {
            if (e.seq() != lastSeq + 1) {
                throw new BrokenChainException(e.seq(), "expected sequence number " + (lastSeq + 1));
            }
            if (e.prevHash() == null || !MessageDigest.isEqual(e.prevHash(), lastHash)) {
                throw new BrokenChainException(e.seq(), "previous hash does not match the preceding entry");
            }
            if (!e.hashIsValid()) {
                throw new BrokenChainException(e.seq(), "hash does not match the canonical encoding");
            }
            lastSeq = e.seq();
            lastHash = e.hash().clone();
        }
    }

    public long lastSeq() {
        return lastSeq;
    }

    public byte[] lastHash() {
        return lastHash.clone();
    }

    /** The chain does not recompute at entry {@code seq}. */
    public static final class BrokenChainException extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final long seq;

        BrokenChainException(long seq, String reason) {
            super("audit entry " + seq + ": " + reason);
            this.seq = seq;
        }

        public long seq() {
            return seq;
        }
    }
}
