package org.osms.gob;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Gob's primitive encodings (encoding/gob doc, "Encoding details"). */
final class GobOutput {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /** Unsigned: below 128 one byte; otherwise the negated byte count, then the big-endian bytes. */
    void writeUint(long x) {
        if (x >= 0 && x < 128) {
            out.write((int) x);
            return;
        }
        int n = 8;
        while (n > 1 && (x >>> ((n - 1) * 8)) == 0) {
            n--;
        }
        out.write(-n & 0xff);
        for (int i = n - 1; i >= 0; i--) {
            out.write((int) (x >>> (i * 8)));
        }
    }

    /** Signed: the low bit says whether to complement; the rest is the value shifted left. */
    void writeInt(long i) {
        writeUint(i < 0 ? (~i << 1) | 1 : i << 1);
    }

    void writeBool(boolean b) {
        writeUint(b ? 1 : 0);
    }

    /** Floats: the IEEE 754 bits byte-reversed, so small exponents make short encodings. */
    void writeFloat(double d) {
        writeUint(Long.reverseBytes(Double.doubleToLongBits(d)));
    }

    void writeBytes(byte[] b) {
        writeUint(b.length);
        out.write(b, 0, b.length);
    }

    void writeString(String s) {
        writeBytes(s.getBytes(StandardCharsets.UTF_8));
    }

    void writeRaw(byte[] b) {
        out.write(b, 0, b.length);
    }

    int size() {
        return out.size();
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
