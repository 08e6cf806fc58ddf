package org.osms.gob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.lang.reflect.RecordComponent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Java's gob against Go's: the committed vectors are what Go writes, and Go reads what Java writes. */
class GoInteropTest {
    @TempDir
    Path dir;

    @BeforeEach
    void go() throws Exception {
        GoToolchain.requireGo();
    }

    @Test
    void theCommittedVectorsAreWhatGoWritesToday() throws Exception {
        GoToolchain.Result r = GoToolchain.gobcheck("vectors", dir.toString());
        assertEquals(0, r.exit(), r.err());
        for (String name : GobSamples.VECTORS) {
            assertArrayEquals(Files.readAllBytes(dir.resolve(name + ".gob")),
                    GobCodecTest.goVector(name), name + ": regenerate with `gobcheck vectors src/test/resources/gob`");
        }
    }

    @Test
    void goDecodesWhatJavaEncodesFieldForField() throws Exception {
        Random r = new Random(7);
        for (int i = 0; i < 60; i++) {
            Object value = GobSamples.any(r);
            Path file = dir.resolve("value" + i + ".gob");
            Files.write(file, GobEncoder.encode(value));
            GoToolchain.Result decoded = GoToolchain.gobcheck("decode", value.getClass().getSimpleName(),
                    file.toString());
            assertEquals(0, decoded.exit(), "Go could not decode " + value + ": " + decoded.err());
            try (JsonReader json = Json.createReader(new StringReader(decoded.out()))) {
                assertSameValue(value, json.readObject(), value.getClass().getSimpleName());
            }
        }
    }

    /** Go's encoding/json of the decoded struct against the Java record, component by component. */
    static void assertSameValue(Object record, JsonObject go, String path) throws Exception {
        for (RecordComponent c : record.getClass().getRecordComponents()) {
            Object java = c.getAccessor().invoke(record);
            JsonValue v = go.get(GobEncoder.goFieldName(c.getName()));
            String where = path + "." + c.getName();
            if (java instanceof String s) {
                assertEquals(s, ((jakarta.json.JsonString) v).getString(), where);
            } else if (java == null || java instanceof byte[] b && b.length == 0
                    || java instanceof List<?> l && l.isEmpty()) {
                assertTrue(v == null || v.getValueType() == JsonValue.ValueType.NULL
                        || v.getValueType() == JsonValue.ValueType.STRING && ((jakarta.json.JsonString) v).getString().isEmpty(),
                        where + " is zero in Java but " + v + " in Go");
            } else if (java instanceof Long || java instanceof Integer) {
                assertEquals(((Number) java).longValue(), ((jakarta.json.JsonNumber) v).longValueExact(), where);
            } else if (java instanceof byte[] b) {
                assertArrayEquals(b, Base64.getDecoder().decode(((jakarta.json.JsonString) v).getString()), where);
            } else if (java instanceof List<?> list) {
                JsonArray array = v.asJsonArray();
                assertEquals(list.size(), array.size(), where);
                for (int i = 0; i < list.size(); i++) {
                    assertSameValue(list.get(i), array.getJsonObject(i), where + "[" + i + "]");
                }
            } else {
                throw new AssertionError("no comparison for " + where);
            }
        }
    }
}
