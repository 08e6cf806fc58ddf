package org.osms.gob;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.MessageBodyWriter;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import org.osms.web.ApiException;
import org.osms.web.Representations;

/**
 * {@code application/x-gob}: protocol records written and read as gob streams (one value each), the seed's format
 * for public data. Request bodies are read up to {@link GobLimits#maxMessageBytes()} and decoded strictly; a bad
 * stream is a 400, a too large one a 413.
 */
@Provider
@Produces(Representations.GOB)
@Consumes(Representations.GOB)
public class GobRepresentation implements MessageBodyWriter<Object>, MessageBodyReader<Object> {
    private static final GobLimits LIMITS = GobLimits.DEFAULT;

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type.isRecord();
    }

    @Override
    public void writeTo(Object value, Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType,
                        MultivaluedMap<String, Object> headers, OutputStream out) throws IOException {
        out.write(GobEncoder.encode(value));
    }

    @Override
    public boolean isReadable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type.isRecord();
    }

    @Override
    public Object readFrom(Class<Object> type, Type genericType, Annotation[] annotations, MediaType mediaType,
                           MultivaluedMap<String, String> headers, InputStream in) throws IOException {
        byte[] body = in.readNBytes(LIMITS.maxMessageBytes() + 1);
        if (body.length > LIMITS.maxMessageBytes()) {
            throw new ApiException(413, "too_large", "The gob document is larger than the server accepts.");
        }
        try {
            return GobBinding.decode(body, type, LIMITS);
        } catch (GobException e) {
            throw new ApiException(400, "bad_gob", "The body is not a valid gob document of the expected type.");
        }
    }
}
