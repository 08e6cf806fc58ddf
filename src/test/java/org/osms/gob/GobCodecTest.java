package org.osms.gob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.InputStream;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.osms.protocol.AuditPage;
import org.osms.protocol.AuditRecord;

class GobCodecTest {

    static List<String> vectors() {
        return GobSamples.VECTORS;
    }

    static byte[] goVector(String name) throws IOException {
        try (InputStream in = GobCodecTest.class.getResourceAsStream("/gob/" + name + ".gob")) {
            return in.readAllBytes();
        }
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void javaEncodesExactlyTheBytesGoEncodes(String name) throws IOException {
        assertEquals(HexFormat.of().formatHex(goVector(name)),
                HexFormat.of().formatHex(GobEncoder.encode(GobSamples.vector(name))));
    }

    @ParameterizedTest
    @MethodSource("vectors")
    void javaDecodesGosBytesBackToTheSameValue(String name) throws IOException {
        Object expected = GobSamples.vector(name);
        Object decoded = GobBinding.decode(goVector(name), expected.getClass(), GobLimits.DEFAULT);
        assertArrayEquals(GobEncoder.encode(expected), GobEncoder.encode(decoded));
    }

    @Test
    void theDocumentedExampleOfGosPackageDecodes() {
        // encoding/gob's doc: type Point struct {X, Y int}; Point{22, 33}
        byte[] point = HexFormat.of().parseHex("1fff810301010550"
                + "6f696e7401ff8200010201015801040001015901040000000" + "7ff82012c014200");
        record Point(long x, long y) {
        }
        assertEquals(new Point(22, 33), GobBinding.decode(point, Point.class, GobLimits.DEFAULT));
        assertArrayEquals(point, GobEncoder.encode(new Point(22, 33)));
    }

    @Test
    void randomValuesOfEveryProtocolTypeRoundTrip() {
        Random r = new Random(20261125);
        for (int i = 0; i < 2000; i++) {
            Object value = GobSamples.any(r);
            byte[] encoded = GobEncoder.encode(value);
            Object decoded = GobBinding.decode(encoded, value.getClass(), GobLimits.DEFAULT);
            assertArrayEquals(encoded, GobEncoder.encode(decoded), "value " + i + ": " + value);
            if (value instanceof AuditRecord || value instanceof AuditPage) {
                assertEquals(value, decoded, "value " + i);
            }
        }
    }

    @Test
    void primitiveEncodingsFollowTheSpecification() {
        GobOutput out = new GobOutput();
        out.writeUint(7);
        out.writeUint(256);
        out.writeInt(-129);
        out.writeInt(Long.MIN_VALUE);
        out.writeFloat(17.0);
        // from encoding/gob's doc: 256 is FE 01 00; -129 is FE 01 01; 17.0 is FE 31 40
        assertEquals("07" + "fe0100" + "fe0101" + "f8ffffffffffffffff" + "fe3140",
                HexFormat.of().formatHex(out.toByteArray()));
        GobInput in = new GobInput(out.toByteArray(), 0, out.size());
        assertEquals(7, in.readUint());
        assertEquals(256, in.readUint());
        assertEquals(-129, in.readInt());
        assertEquals(Long.MIN_VALUE, in.readInt());
        assertEquals(17.0, in.readFloat());
    }

    @Test
    void unsupportedTypesFailClearly() {
        assertThrows(GobException.class, () -> GobEncoder.encode(new Object()));
        record WithFloatArray(float[] values) {
        }
        assertThrows(GobException.class, () -> GobEncoder.encode(new WithFloatArray(new float[] {1})));
    }

    @Test
    void boundsAreEnforced() {
        byte[] page = GobEncoder.encode(GobSamples.vector("audit_page"));
        assertThrows(GobException.class, () -> new GobDecoder(new GobLimits(100, 32, 64, 1000)).decodeOne(page),
                "message size");
        assertThrows(GobException.class, () -> new GobDecoder(new GobLimits(1 << 20, 1, 64, 1000)).decodeOne(page),
                "depth");
        assertThrows(GobException.class, () -> new GobDecoder(new GobLimits(1 << 20, 32, 1, 1000)).decodeOne(page),
                "type definitions");
        assertThrows(GobException.class, () -> new GobDecoder(new GobLimits(1 << 20, 32, 64, 1)).decodeOne(page),
                "elements");
    }
}
