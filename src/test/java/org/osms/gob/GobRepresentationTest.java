package org.osms.gob;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.ws.rs.core.MediaType;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.annotation.Annotation;
import org.junit.jupiter.api.Test;
import org.osms.protocol.ErrorDocument;
import org.osms.web.ApiException;

/** The application/x-gob provider as JAX-RS drives it: records out, records in, hostile bodies refused. */
class GobRepresentationTest {
    private static final MediaType GOB = new MediaType("application", "x-gob");
    private final GobRepresentation provider = new GobRepresentation();

    @SuppressWarnings({"unchecked", "rawtypes"})
    private Object read(byte[] body) throws IOException {
        return provider.readFrom((Class) ErrorDocument.class, ErrorDocument.class, new Annotation[0], GOB, null,
                new ByteArrayInputStream(body));
    }

    @Test
    void writesAndReadsRecords() throws IOException {
        ErrorDocument doc = new ErrorDocument("code", "message");
        assertTrue(provider.isWriteable(ErrorDocument.class, ErrorDocument.class, new Annotation[0], GOB));
        assertFalse(provider.isWriteable(String.class, String.class, new Annotation[0], GOB));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        provider.writeTo(doc, ErrorDocument.class, ErrorDocument.class, new Annotation[0], GOB, null, out);
        assertArrayEquals(GobEncoder.encode(doc), out.toByteArray());
        assertEquals(doc, read(out.toByteArray()));
    }

    @Test
    void aMalformedBodyIs400AndAnOversizeOne413() {
        ApiException bad = assertThrows(ApiException.class, () -> read(new byte[] {5, 1, 2, 3}));
        assertEquals(400, bad.status());
        assertEquals("bad_gob", bad.code());
        ApiException big = assertThrows(ApiException.class,
                () -> read(new byte[GobLimits.DEFAULT.maxMessageBytes() + 1]));
        assertEquals(413, big.status());
    }
}
