package org.osms.protocol;

/** A value that breaks a rule of the OSMS protocol; the message is safe to show to the sender. */
public class ProtocolException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String code;

    public ProtocolException(String code, String message) {
        super(message);
        this.code = code;
    }

    /** A short, stable, machine-readable error code (the {@code error} field of the error document). */
    public String code() {
        return code;
    }
}
