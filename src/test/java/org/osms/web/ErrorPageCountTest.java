package org.osms.web;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.osms.metrics.ServerMetrics;

/**
 * Counting a refusal never changes the refusal: the count comes after the answer is written, and a failure to count
 * (no metrics bean, a registry that fails while the application stops) is swallowed, not turned into a 500.
 */
class ErrorPageCountTest {
    @Test
    void aFailureToCountIsSwallowed() {
        assertDoesNotThrow(() -> ErrorPage.count(null, 413), "no metrics bean at all");

        AtomicInteger asked = new AtomicInteger();
        ServerMetrics failing = new ServerMetrics() {
            @Override
            public void response(String endpoint, int status) {
                asked.incrementAndGet();
                throw new IllegalStateException("the registry is gone");
            }
        };
        assertDoesNotThrow(() -> ErrorPage.count(failing, 400));
        assertEquals(1, asked.get(), "the count was tried");
    }

    @Test
    void aRefusalIsCountedAsRefusedEarlyWithItsStatus() {
        String[] counted = new String[1];
        ServerMetrics recording = new ServerMetrics() {
            @Override
            public void response(String endpoint, int status) {
                counted[0] = endpoint + " " + status;
            }
        };
        ErrorPage.count(recording, 408);
        assertEquals(ServerMetrics.REFUSED_EARLY + " 408", counted[0]);
    }
}
