package org.osms.session;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * The session settings, read once from the server configuration (liberty/config/server.xml; each can be set by an
 * environment variable, see README).
 */
@ApplicationScoped
public class SessionSettings {
    @Resource(lookup = "osms/session/idleTimeoutSeconds")
    Object idleTimeoutSeconds;

    @Resource(lookup = "osms/session/handshakeTimeoutSeconds")
    Object handshakeTimeoutSeconds;

    @Resource(lookup = "osms/session/maxLive")
    Object maxLive;

    @Resource(lookup = "osms/session/maxHandshakes")
    Object maxHandshakes;

    @Resource(lookup = "osms/registration/powBits")
    Object powBits;

    private Duration idleTimeout;
    private Duration handshakeTimeout;
    private int liveCap;
    private int handshakeCap;
    private int proofOfWorkBits;

    @PostConstruct
    void read() {
        idleTimeout = Duration.ofSeconds(number("OSMS_SESSION_IDLE_TIMEOUT", idleTimeoutSeconds, 1, 600));
        handshakeTimeout = Duration.ofSeconds(number("OSMS_SESSION_HANDSHAKE_TIMEOUT", handshakeTimeoutSeconds, 1, 600));
        liveCap = (int) number("OSMS_SESSION_MAX_LIVE", maxLive, 1, 1_000_000);
        handshakeCap = (int) number("OSMS_SESSION_MAX_HANDSHAKES", maxHandshakes, 1, 1_000_000);
        proofOfWorkBits = (int) number("OSMS_REGISTRATION_POW_BITS", powBits, 0, 32);
    }

    /** jndiEntry values that look like numbers arrive as numbers: accept either. */
    public static long number(String name, Object raw, long min, long max) {
        try {
            long v = Long.parseLong(String.valueOf(raw).trim());
            if (v >= min && v <= max) {
                return v;
            }
        } catch (RuntimeException e) {
            // reported below
        }
        throw new IllegalStateException(name + " must be a whole number from " + min + " to " + max);
    }

    /** A conversation unused for this long is ended (at most 10 minutes; the beans' @StatefulTimeout is 15). */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    /** A handshake not completed within this time is abandoned. */
    public Duration handshakeTimeout() {
        return handshakeTimeout;
    }

    public int maxLive() {
        return liveCap;
    }

    public int maxHandshakes() {
        return handshakeCap;
    }

    public int proofOfWorkBits() {
        return proofOfWorkBits;
    }
}
