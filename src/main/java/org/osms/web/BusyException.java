package org.osms.web;

/**
 * {@code 503 busy}: the server could not do the request now and did nothing; the client may send it again after
 * {@code Retry-After} seconds (docs/protocol.md, "Errors"). The one refusal of its kind, whoever is busy: a
 * conversation still answering another request, or the database under a read.
 */
public class BusyException extends ApiException {
    private static final long serialVersionUID = 1L;
    public static final int RETRY_AFTER_SECONDS = 10;

    public BusyException(String message) {
        super(503, "busy", message);
    }

    @Override
    public int retryAfterSeconds() {
        return RETRY_AFTER_SECONDS;
    }
}
