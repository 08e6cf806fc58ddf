package org.osms.web;

import jakarta.ejb.ApplicationException;

/**
 * A rejection the client caused or must know about: its HTTP status, a stable error code and a sentence that is safe
 * to show (it never echoes secrets or user input back).
 *
 * <p>An expected refusal, not a failure: declared an application exception (subclasses included) so that crossing
 * an enterprise bean does not make the container report it as a defect (an FFDC incident and CNTR0020E). It still
 * rolls back the transaction it ends, as the CDI {@code @Transactional} interceptor does by default for any
 * runtime exception: a refused change stores nothing.
 */
@ApplicationException(rollback = true)
public class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    public ApiException(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    /** Seconds after which a retry may succeed (a Retry-After header), or -1. */
    public int retryAfterSeconds() {
        return -1;
    }

    /** Further response headers that tell the client how to go on (for instance a puzzle to solve). */
    public java.util.Map<String, String> headers() {
        return java.util.Map.of();
    }
}
