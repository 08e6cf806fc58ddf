package org.osms.session;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import org.osms.protocol.AdmissionPuzzle;
import org.osms.protocol.RegistrationPuzzle;

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

    @Resource(lookup = "osms/session/maxPerIdentity")
    Object maxPerIdentity;

    @Resource(lookup = "osms/registration/powBits")
    Object powBits;

    @Resource(lookup = "osms/registration/powMaxBits")
    Object powMaxBits;

    @Resource(lookup = "osms/registration/powMemoryKiB")
    Object powMemoryKiB;

    @Resource(lookup = "osms/registration/powIterations")
    Object powIterations;

    @Resource(lookup = "osms/registration/ratePerHour")
    Object registrationRatePerHour;

    @Resource(lookup = "osms/registration/timeoutSeconds")
    Object registrationTimeoutSeconds;

    @Resource(lookup = "osms/session/maxRegistrations")
    Object maxRegistrations;

    @Resource(lookup = "osms/admission/powBits")
    Object admissionPowBits;

    private Duration idleTimeout;
    private Duration handshakeTimeout;
    private int liveCap;
    private int handshakeCap;
    private int perIdentityCap;
    private int proofOfWorkBits;
    private int proofOfWorkMaxBits;
    private int proofOfWorkMemoryKiB;
    private int proofOfWorkIterations;
    private int registrationRate;
    private Duration registrationTimeout;
    private int registrationCap;
    private int admissionBits;

    @PostConstruct
    void read() {
        idleTimeout = Duration.ofSeconds(number("OSMS_SESSION_IDLE_TIMEOUT", idleTimeoutSeconds, 1, 600));
        handshakeTimeout = Duration.ofSeconds(number("OSMS_SESSION_HANDSHAKE_TIMEOUT", handshakeTimeoutSeconds, 1, 600));
        liveCap = (int) number("OSMS_SESSION_MAX_LIVE", maxLive, 1, 1_000_000);
        handshakeCap = (int) number("OSMS_SESSION_MAX_HANDSHAKES", maxHandshakes, 1, 1_000_000);
        perIdentityCap = (int) number("OSMS_SESSION_MAX_PER_IDENTITY", maxPerIdentity, 1, 1_000);
        proofOfWorkBits = (int) number("OSMS_REGISTRATION_POW_BITS", powBits, 0, RegistrationPuzzle.MAX_BITS);
        proofOfWorkMaxBits = (int) number("OSMS_REGISTRATION_POW_MAX_BITS", powMaxBits, proofOfWorkBits,
                RegistrationPuzzle.MAX_BITS);
        proofOfWorkMemoryKiB = (int) number("OSMS_REGISTRATION_POW_MEMORY", powMemoryKiB,
                RegistrationPuzzle.MIN_MEMORY_KIB, RegistrationPuzzle.MAX_MEMORY_KIB);
        proofOfWorkIterations = (int) number("OSMS_REGISTRATION_POW_ITERATIONS", powIterations, 1,
                RegistrationPuzzle.MAX_ITERATIONS);
        registrationRate = (int) number("OSMS_REGISTRATION_RATE", registrationRatePerHour, 1, 1_000_000);
        registrationTimeout = Duration.ofSeconds(number("OSMS_REGISTRATION_TIMEOUT", registrationTimeoutSeconds, 1,
                600));
        registrationCap = (int) number("OSMS_SESSION_MAX_REGISTRATIONS", maxRegistrations, 1, 1_000_000);
        admissionBits = (int) number("OSMS_ADMISSION_POW_BITS", admissionPowBits, 1, AdmissionPuzzle.MAX_BITS - 12);
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

    /**
     * Logged-in conversations one identity may hold at once: a login beyond it ends that identity's least recently
     * used conversation, so that no identity can fill the server's cap of logged-in conversations ({@link #maxLive}).
     */
    public int maxPerIdentity() {
        return perIdentityCap;
    }

    /** Leading zero bits of the registration puzzle when registrations are calm. */
    public int proofOfWorkBits() {
        return proofOfWorkBits;
    }

    /** The most leading zero bits the registration puzzle asks for, however high the registration rate. */
    public int proofOfWorkMaxBits() {
        return proofOfWorkMaxBits;
    }

    /** Memory and passes of each Argon2id evaluation of the registration puzzle. */
    public int proofOfWorkMemoryKiB() {
        return proofOfWorkMemoryKiB;
    }

    public int proofOfWorkIterations() {
        return proofOfWorkIterations;
    }

    /** Registrations per hour above which the registration puzzle gets harder (one bit per doubling). */
    public int registrationRatePerHour() {
        return registrationRate;
    }

    /** A registration conversation that has not registered this long after its handshake is ended. */
    public Duration registrationTimeout() {
        return registrationTimeout;
    }

    /** Registration conversations (unfinished or waiting for `register`) at most. */
    public int maxRegistrations() {
        return registrationCap;
    }

    /** Leading zero bits of the admission puzzle when it is first asked for (it rises with the load). */
    public int admissionBits() {
        return admissionBits;
    }
}
