package org.osms.client;

/** A refusal by the server (its status and error code) or a failure to talk to it, in one line. */
public class OsmsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    public OsmsException(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }
}
