package org.osms.otr;

/** An OTR message that this conversation cannot accept: malformed, undecryptable, unencrypted, or out of place. */
public class OtrFailure extends Exception {
    private static final long serialVersionUID = 1L;

    public OtrFailure(String message) {
        super(message, null, false, false);
    }
}
