package org.osms.gob;

/** A gob stream that is malformed, truncated, too large, or of a type this codec does not support. */
public class GobException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public GobException(String message) {
        super(message, null, false, false);
    }
}
