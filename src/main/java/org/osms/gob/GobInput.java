package org.osms.gob;

import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;

/** Reads gob's primitive encodings from a bounded slice of bytes; every read checks what remains. */
final class GobInput {
    private final byte[] buf;
    private int pos;
    private final int end;

    GobInput(byte[] buf, int pos, int end) {
        this.buf = buf;
        this.pos = pos;
        this.end = end;
    }

    int remaining() {
        return end - pos;
    }

    int position() {
        return pos;
    }

    boolean atEnd() {
        return pos >= end;
    }

    private int readByte() {
        if (pos >= end) {
            throw new GobException("gob: truncated data");
        }
        return buf[pos++] & 0xff;
    }

    long readUint() {
        int b = readByte();
        if (b < 128) {
            return b;
        }
        int n = 256 - b;
        if (n > 8) {
            throw new GobException("gob: invalid uint byte count " + n);
        }
        if (n > remaining()) {
            throw new GobException("gob: truncated uint");
        }
        long x = 0;
        for (int i = 0; i < n; i++) {
            x = (x << 8) | readByte();
        }
        return x;
    }

    long readInt() {
        long u = readUint();
        return (u & 1) != 0 ? ~(u >>> 1) : (u >>> 1);
    }

    /** A non-negative count or length no larger than what remains (each unit needs at least one byte). */
    int readCount(String what) {
        long n = readUint();
        if (n < 0 || n > remaining()) {
            throw new GobException("gob: " + what + " " + Long.toUnsignedString(n) + " exceeds the data");
        }
        return (int) n;
    }

    boolean readBool() {
        long u = readUint();
        if (u > 1) {
            throw new GobException("gob: invalid bool " + Long.toUnsignedString(u));
        }
        return u == 1;
    }

    double readFloat() {
        return Double.longBitsToDouble(Long.reverseBytes(readUint()));
    }

    byte[] readBytes() {
        int n = readCount("byte slice length");
        byte[] b = new byte[n];
        System.arraycopy(buf, pos, b, 0, n);
        pos += n;
        return b;
    }

    String readString() {
        byte[] b = readBytes();
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw new GobException("gob: string is not valid UTF-8");
        }
    }

    void skip(int n) {
        if (n < 0 || n > remaining()) {
            throw new GobException("gob: truncated data");
        }
        pos += n;
    }
}
