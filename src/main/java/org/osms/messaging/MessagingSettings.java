package org.osms.messaging;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.osms.session.SessionSettings;

/** The mailbox limits, read once from the server configuration (server.xml; README, "Configuration"). */
@ApplicationScoped
public class MessagingSettings {
    @Resource(lookup = "osms/mailbox/maxBodyBytes")
    Object maxBodyBytes;

    @Resource(lookup = "osms/mailbox/maxMessages")
    Object maxMessages;

    @Resource(lookup = "osms/mailbox/maxBytes")
    Object maxBytes;

    @Resource(lookup = "osms/mailbox/sendsPerMinute")
    Object sendsPerMinute;

    @Resource(lookup = "osms/mailbox/retentionSeconds")
    Object retentionSeconds;

    @Resource(lookup = "osms/mailbox/maxWaitSeconds")
    Object maxWaitSeconds;

    private Limits limits;
    private Duration retention;
    private Duration maxWait;

    /** What a mailbox and a sender may use; also what {@code quota} and {@code export} report. */
    public record Limits(int maxBodyBytes, int maxMessages, long maxBytes, int sendsPerMinute) {
    }

    @PostConstruct
    void read() {
        limits = new Limits(
                (int) SessionSettings.number("OSMS_MAILBOX_MAX_BODY_BYTES", maxBodyBytes, 64, FetchPage.MAX_BODY_LENGTH),
                (int) SessionSettings.number("OSMS_MAILBOX_MAX_MESSAGES", maxMessages, 1, 1_000_000),
                SessionSettings.number("OSMS_MAILBOX_MAX_BYTES", maxBytes, 64, 1L << 40),
                (int) SessionSettings.number("OSMS_MAILBOX_SENDS_PER_MINUTE", sendsPerMinute, 1, 1_000_000));
        retention = Duration.ofSeconds(
                SessionSettings.number("OSMS_MAILBOX_RETENTION_SECONDS", retentionSeconds, 60, 10L * 365 * 86_400));
        maxWait = Duration.ofSeconds(SessionSettings.number("OSMS_MAILBOX_MAX_WAIT", maxWaitSeconds, 0, 60));
    }

    public Limits limits() {
        return limits;
    }

    /** Unacknowledged messages older than this are deleted. */
    public Duration retention() {
        return retention;
    }

    /** The longest a {@code fetch} may wait for mail (seconds; at most 60). */
    public Duration maxWait() {
        return maxWait;
    }
}
