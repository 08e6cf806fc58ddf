package org.osms.otr;

import java.util.Base64;
import java.util.Optional;

/**
 * The outer structure of one OTR version 3 encoded message ({@code ?OTR:<base64>.}), checked against the bytes
 * actually received before otr4j sees it.
 *
 * <p>otr4j allocates every DATA and MPI field with the length the message claims, before it knows whether that many
 * bytes follow: a 38-byte message claiming a gigabyte made it allocate a gigabyte. Here every length must fit in what
 * is left of the message, the fixed-size fields (hash, revealed key, CTR, MAC) must have the sizes of the OTR v3
 * specification, D-H values must be MPIs of the 1536-bit group, and nothing may follow the last field. So what otr4j
 * then allocates is bounded by the size of the message. Pure parsing, no otr4j types.
 *
 * @param type the message type byte (D-H Commit 0x02, Data 0x03, D-H Key 0x0a, Reveal Signature 0x11,
 *             Signature 0x12)
 * @param senderInstance the sender instance tag
 * @param receiverInstance the receiver instance tag
 * @param data for a data message, its key ids and counter
 */
record OtrEncodedMessage(int type, int senderInstance, int receiverInstance, Optional<DataHeader> data) {
    static final String PREFIX = "?OTR:";
    static final int PROTOCOL_VERSION = 3;
    static final int DH_COMMIT = 0x02;
    static final int DATA = 0x03;
    static final int DH_KEY = 0x0a;
    static final int REVEAL_SIGNATURE = 0x11;
    static final int SIGNATURE = 0x12;

    /** OTR v3 section "Instance tags": values below 0x100 are reserved; 0 only as the receiver of a D-H Commit. */
    private static final long MIN_INSTANCE_TAG = 0x100;
    /** An MPI of the 1536-bit D-H group is at most 192 bytes. */
    private static final int MAX_DH_MPI = 192;
    /** AES-128 of MPI(g^x): the same length as the MPI with its 4-byte length. */
    private static final int MAX_ENCRYPTED_DH = 4 + MAX_DH_MPI;
    private static final int SHA256_LENGTH = 32;
    private static final int AES_KEY_LENGTH = 16;
    private static final int MAC_LENGTH = 20;
    private static final int CTR_LENGTH = 8;
    /** Base64 characters that encode the protocol version and the message type: 4 characters are 3 bytes. */
    private static final int HEADER_BASE64 = 4;

    /** The header of a data message: which key pair it is encrypted under, and its counter (the top half of CTR). */
    record DataHeader(int senderKeyId, int recipientKeyId, long counter) {
    }

    static boolean isEncoded(String message) {
        return message.startsWith(PREFIX);
    }

    /** Parses {@code ?OTR:<base64>.}; any structural fault is an {@link OtrFailure} (no otr4j call has happened). */
    static OtrEncodedMessage parse(String message) throws OtrFailure {
        if (!isEncoded(message) || !message.endsWith(".") || message.length() < PREFIX.length() + 1) {
            throw malformed();
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(message.substring(PREFIX.length(), message.length() - 1));
        } catch (IllegalArgumentException e) {
            throw malformed();
        }
        Reader in = new Reader(bytes);
        int type = versionedType(in);
        long sender = in.u32();
        long receiver = in.u32();
        if (sender < MIN_INSTANCE_TAG || (receiver < MIN_INSTANCE_TAG && !(receiver == 0 && type == DH_COMMIT))) {
            throw malformed();
        }
        DataHeader header = null;
        switch (type) {
            case DH_COMMIT -> {
                in.data(1, MAX_ENCRYPTED_DH);            // AES_r(MPI(g^x))
                in.data(SHA256_LENGTH, SHA256_LENGTH);   // SHA256(MPI(g^x))
            }
            case DH_KEY -> in.data(1, MAX_DH_MPI);       // MPI g^y
            case REVEAL_SIGNATURE -> {
                in.data(AES_KEY_LENGTH, AES_KEY_LENGTH); // revealed key r
                in.data(1, bytes.length);                // encrypted signature
                in.skip(MAC_LENGTH);
            }
            case SIGNATURE -> {
                in.data(1, bytes.length);                // encrypted signature
                in.skip(MAC_LENGTH);
            }
            case DATA -> {
                in.u8();                                 // flags
                int senderKeyId = (int) in.u32();
                int recipientKeyId = (int) in.u32();
                if (senderKeyId == 0 || recipientKeyId == 0) {
                    throw malformed();                   // key ids start at 1
                }
                in.data(1, MAX_DH_MPI);                  // next D-H key
                long counter = in.u64();                 // top half of the AES counter
                in.data(0, bytes.length);                // encrypted message
                in.skip(MAC_LENGTH);
                int oldKeys = in.data(0, bytes.length);  // revealed old MAC keys, 20 bytes each
                if (oldKeys % MAC_LENGTH != 0) {
                    throw malformed();
                }
                header = new DataHeader(senderKeyId, recipientKeyId, counter);
            }
            default -> throw new OtrFailure("This OTR message type is not accepted.");
        }
        if (in.remaining() != 0) {
            throw malformed();
        }
        return new OtrEncodedMessage(type, (int) sender, (int) receiver, Optional.ofNullable(header));
    }

    /**
     * The message type of {@code ?OTR:<base64>.} read from its header alone: the first {@link #HEADER_BASE64}
     * base64 characters hold the protocol version and the type, and nothing after them is decoded. For a message of
     * OSMS's own engine that only needs to be told apart from other types; a received message is checked in full
     * ({@link #parse}). A fault in the header is refused as {@link #parse} refuses it.
     */
    static int typeOf(String message) throws OtrFailure {
        if (!isEncoded(message) || !message.endsWith(".")
                || message.length() < PREFIX.length() + HEADER_BASE64 + 1) {
            throw malformed();
        }
        byte[] header;
        try {
            header = Base64.getDecoder().decode(message.substring(PREFIX.length(), PREFIX.length() + HEADER_BASE64));
        } catch (IllegalArgumentException e) {
            throw malformed();
        }
        return versionedType(new Reader(header));
    }

    /** The protocol version (2 bytes), which must be 3, then the message type (1 byte). */
    private static int versionedType(Reader in) throws OtrFailure {
        if (in.u16() != PROTOCOL_VERSION) {
            throw new OtrFailure("Only OTR protocol version 3 messages are accepted.");
        }
        return in.u8();
    }

    private static OtrFailure malformed() {
        return new OtrFailure("The OTR message is malformed.");
    }

    /** Big-endian reads that never go past the end of what was received. */
    private static final class Reader {
        private final byte[] bytes;
        private int position;

        Reader(byte[] bytes) {
            this.bytes = bytes;
        }

        int remaining() {
            return bytes.length - position;
        }

        void skip(int n) throws OtrFailure {
            if (n > remaining()) {
                throw malformed();
            }
            position += n;
        }

        long number(int size) throws OtrFailure {
            int start = position;
            skip(size);
            long value = 0;
            for (int i = start; i < position; i++) {
                value = (value << 8) | (bytes[i] & 0xff);
            }
            return value;
        }

        int u8() throws OtrFailure {
            return (int) number(1);
        }

        int u16() throws OtrFailure {
            return (int) number(2);
        }

        long u32() throws OtrFailure {
            return number(4);
        }

        long u64() throws OtrFailure {
            return number(CTR_LENGTH);
        }

        /** A DATA or MPI field: a 4-byte length within [min, max] that the rest of the message holds; skipped. */
        int data(int min, int max) throws OtrFailure {
            long length = u32();
            if (length < min || length > max || length > remaining()) {
                throw malformed();
            }
            skip((int) length);
            return (int) length;
        }
    }
}
