package org.osms.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * OSMS_MAILBOX_MAX_BODY_BYTES may not exceed what one fetch reply carries ({@link FetchPage#MAX_BODY_LENGTH}): a
 * longer body, stored, could never be fetched. A larger setting is refused when the settings are read, at start-up.
 */
class MessagingSettingsTest {
    private static MessagingSettings settings(Object maxBodyBytes) {
        return configure(new MessagingSettings(), maxBodyBytes);
    }

    private static MessagingSettings configure(MessagingSettings s, Object maxBodyBytes) {
        s.maxBodyBytes = maxBodyBytes;
        s.maxMessages = "1000";
        s.maxBytes = "1048576";
        s.sendsPerMinute = "60";
        s.retentionSeconds = "604800";
        s.maxWaitSeconds = "30";
        return s;
    }

    @Test
    void theLongestBodyOneFetchReplyCarriesIsAccepted() {
        assertEquals(44_728, FetchPage.MAX_BODY_LENGTH);
        MessagingSettings s = settings("44728");
        s.read();
        assertEquals(44_728, s.limits().maxBodyBytes());
        MessagingSettings number = settings(44_728); // a jndiEntry value that looks like a number arrives as one
        number.read();
        assertEquals(44_728, number.limits().maxBodyBytes());
    }

    @Test
    void oneByteMoreIsRefused() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> settings("44729").read());
        assertEquals("OSMS_MAILBOX_MAX_BODY_BYTES must be a whole number from 64 to 44728", e.getMessage());
    }

    /**
     * The start-up listener asks for the limits before it warms anything: in the container the settings bean is
     * created (and {@code read}) on that first call, its refusal leaves the listener, and the application does not
     * start. Here the bean is created the same way, on first use; the other beans are absent, so a listener that warmed
     * them first would fail differently.
     */
    @Test
    void aRefusedSettingStopsTheStartBeforeAnythingElse() {
        MessagingSettings lazilyCreated = configure(new MessagingSettings() {
            @Override
            public Limits limits() {
                read();
                return super.limits();
            }
        }, "44729");
        MessagingStartup startup = new MessagingStartup();
        startup.settings = lazilyCreated;

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> startup.contextInitialized(null));
        assertEquals("OSMS_MAILBOX_MAX_BODY_BYTES must be a whole number from 64 to 44728", e.getMessage());
    }

    @Test
    void theReadmeStatesTheSameCap() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String row = readme.lines().filter(l -> l.startsWith("| `OSMS_MAILBOX_MAX_BODY_BYTES` |")).findFirst()
                .orElseThrow();
        assertTrue(row.contains("at most 44 728"), row);
    }
}
