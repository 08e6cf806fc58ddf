package org.osms.session;

import org.osms.web.ApiException;
import org.osms.web.BusyException;

/** Rejections of session requests, each with its status and code. */
public final class SessionException {
    private SessionException() {
    }

    public static ApiException unknownSession() {
        return new ApiException(404, "unknown_session",
                "No live conversation has this session id; it ended, expired or never existed.");
    }

    public static ApiException badOtr(String why) {
        return new ApiException(400, "bad_otr_message", why);
    }

    /**
     * The client's Signature (or Reveal Signature) message did not complete the handshake: each costs the server a
     * signature check, so a conversation gets one; it ends.
     */
    public static ApiException handshakeFailed(String why) {
        return new ApiException(403, "handshake_failed", why);
    }

    public static ApiException notEncrypted() {
        return new ApiException(409, "handshake_incomplete", "The OTR handshake of this conversation is not complete.");
    }

    public static ApiException alreadyEncrypted() {
        return new ApiException(409, "handshake_complete",
                "The handshake is complete; send commands to /session.");
    }

    public static ApiException loginRefused(String code, String message) {
        return new ApiException(403, code, message);
    }

    public static ApiException tooLarge() {
        return new ApiException(413, "too_large", "The request body is larger than an OTR message may be.");
    }

    /** The caps are global because every Tor client arrives from 127.0.0.1. */
    public static final class Busy extends BusyException {
        private static final long serialVersionUID = 1L;

        public Busy(String what) {
            super("Too many " + what + " right now; retry later.");
        }
    }
}
