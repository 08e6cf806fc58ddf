package org.osms.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import org.junit.jupiter.api.Test;

/** Reading jcmd's class histogram: each class's instances and bytes, the total, and no figure from anything else. */
class ClassHistogramTest {
    /** The shape of {@code jcmd <pid> GC.class_histogram} (JDK 17 and 25 alike), shortened. */
    private static final String REPORT = """
            12345:
             num     #instances         #bytes  class name (module)
            -------------------------------------------------------
               1:        288048        6913152  org.eclipse.parsson.JsonNumberImpl$JsonIntNumber
               2:        120000        4800000  java.lang.String (java.base@17.0.15)
               3:            16            512  org.osms.session.Commands$Deferred
               4:             3             96  org.eclipse.parsson.JsonNumberImpl$JsonLongNumber
            Total        408067       11714760
            """;

    @Test
    void eachClassHasItsInstancesAndBytesAndTheTotalIsRead() throws IOException {
        ClassHistogram h = ClassHistogram.parse(REPORT);
        assertEquals(288048L, h.instances().get("org.eclipse.parsson.JsonNumberImpl$JsonIntNumber"));
        assertEquals(4800000L, h.bytes().get("java.lang.String"));
        assertEquals(11714760L, h.totalBytes());
        assertEquals(16L, h.instances("org.osms.session.Commands$Deferred"::equals));
        assertEquals(288051L, h.instances(name -> name.contains("JsonNumber")));
        assertEquals(4, h.instances().size());
    }

    @Test
    void aReportWithoutItsTotalIsNoHistogram() {
        assertThrows(IOException.class, () -> ClassHistogram.parse("12345:\nCould not find the process\n"));
    }
}
