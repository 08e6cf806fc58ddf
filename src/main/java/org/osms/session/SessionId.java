package org.osms.session;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;
import org.osms.protocol.ProtocolException;

/** An unguessable conversation handle: 256 random bits, base64url without padding (43 characters). */
public record SessionId(String value) {
    private static final Pattern FORM = Pattern.compile("[A-Za-z0-9_-]{43}");

    public SessionId {
        if (value == null || !FORM.matcher(value).matches()) {
            throw new ProtocolException("bad_session", "The OSMS-Session header is missing or malformed.");
        }
    }

    public static SessionId random(SecureRandom random) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return new SessionId(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    @Override
    public String toString() {
        // Session ids are bearer-like handles: never print them.
        return "SessionId[redacted]";
    }
}
