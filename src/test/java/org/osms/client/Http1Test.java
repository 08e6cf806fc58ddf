package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the client reads of a hostile server's answer: the chunked body's trailer section, read and ignored but not
 * endlessly (at most 200 lines); the header section, at most 200 lines however few names they repeat; the body's
 * length, digits within the limit or refused as the malformed answer it is.
 */
class Http1Test {
    private static final HttpRequest GET = HttpRequest.newBuilder(URI.create("http://osms.test/")).GET().build();
    private static final String HEAD = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n";
    private static final String TRAILER = "X-Trailer: t\r\n";

    private static InputStream answer(int trailers) {
        return new ByteArrayInputStream((HEAD + TRAILER.repeat(trailers) + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void twoHundredTrailerLinesAreReadPast() throws IOException {
        InputStream in = answer(200);
        Http1.Exchange e = Http1.read(in, GET);
        assertEquals(200, e.answer().statusCode());
        assertEquals("hello", e.answer().body());
        assertTrue(e.reusable());
        assertEquals(0, in.available(), "the whole answer, trailers included, is consumed");
    }

    @Test
    void twoHundredAndOneAreRefused() {
        IOException e = assertThrows(IOException.class, () -> Http1.read(answer(201), GET));
        assertEquals("a malformed HTTP header", e.getMessage());
    }

    /** A server that sends trailer lines for ever: the read stops at the 201st line, not at the stream's end. */
    @Test
    void anEndlessTrailerIsCutOff() {
        assertCutOffAtTheLine201(HEAD, TRAILER);
    }

    /**
     * Reads an answer of {@code head} followed by {@code line} repeated for ever: the read must stop, refused, right
     * after the 201st line (a MiB read would mean it goes on until memory runs out).
     */
    private static void assertCutOffAtTheLine201(String headText, String lineText) {
        byte[] head = headText.getBytes(StandardCharsets.UTF_8);
        byte[] line = lineText.getBytes(StandardCharsets.UTF_8);
        AtomicLong served = new AtomicLong();
        InputStream endless = new InputStream() {
            @Override
            public int read() {
                long i = served.getAndIncrement();
                if (i >= 1 << 20) {
                    throw new AssertionError("read on through a MiB of repeated lines");
                }
                return i < head.length ? head[(int) i] : line[(int) ((i - head.length) % line.length)];
            }
        };
        IOException e = assertThrows(IOException.class, () -> Http1.read(endless, GET));
        assertEquals("a malformed HTTP header", e.getMessage());
        assertEquals(head.length + 201L * line.length, served.get());
    }

    private static InputStream raw(String answer) {
        return new ByteArrayInputStream(answer.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void twoHundredHeaderLinesOfOneNameAreReadAndTheTwoHundredAndFirstRefused() throws IOException {
        String ok = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + "X-A: v\r\n".repeat(199) + "\r\nok";
        Http1.Exchange e = Http1.read(raw(ok), GET);
        assertEquals("ok", e.answer().body());
        assertEquals(199, e.answer().headers().allValues("X-A").size());

        String tooMany = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" + "X-A: v\r\n".repeat(200) + "\r\nok";
        IOException refused = assertThrows(IOException.class, () -> Http1.read(raw(tooMany), GET));
        assertEquals("a malformed HTTP header", refused.getMessage());
    }

    /** One header name sent for ever: the read stops at the 201st line, not when memory runs out. */
    @Test
    void anEndlessRepeatedHeaderIsCutOff() {
        assertCutOffAtTheLine201("HTTP/1.1 200 OK\r\n", "X-A: " + "a".repeat(1000) + "\r\n");
    }

    @ParameterizedTest
    @ValueSource(strings = {"x", "5, 5", "-1", "+5", "99999999999999999999", "67108865", ""})
    void aContentLengthThatIsNotOneLengthWithinTheLimitIsAMalformedAnswer(String length) {
        String answer = "HTTP/1.1 200 OK\r\nContent-Length: " + length + "\r\n\r\nhello";
        IOException e = assertThrows(IOException.class, () -> Http1.read(raw(answer), GET));
        assertEquals("an HTTP answer of unacceptable length", e.getMessage());
    }

    @Test
    void twoContentLengthsThatDifferAreRefusedAndTwoThatAgreeAreOne() throws IOException {
        String differ = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 4\r\n\r\nhello";
        assertEquals("an HTTP answer of unacceptable length",
                assertThrows(IOException.class, () -> Http1.read(raw(differ), GET)).getMessage());
        String agree = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello";
        assertEquals("hello", Http1.read(raw(agree), GET).answer().body());
    }
}
