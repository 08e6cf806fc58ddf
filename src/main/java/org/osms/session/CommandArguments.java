package org.osms.session;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Base64;
import org.osms.web.ApiException;

/** Reads a command's arguments; a missing or mistyped one is {@code bad_command}. */
public final class CommandArguments {
    private CommandArguments() {
    }

    public static String text(JsonObject c, String name) {
        JsonValue v = c.get(name);
        if (!(v instanceof JsonString s)) {
            throw badCommand("The command needs a string '" + name + "'.");
        }
        return s.getString();
    }

    public static byte[] bytes(JsonObject c, String name) {
        try {
            return Base64.getDecoder().decode(text(c, name));
        } catch (IllegalArgumentException e) {
            throw badCommand("'" + name + "' must be base64.");
        }
    }

    /** A JSON integer (no fraction, no exponent beyond an integral value) that fits a long. */
    public static long integer(JsonObject c, String name) {
        JsonValue v = c.get(name);
        if (v instanceof JsonNumber n && n.isIntegral()) {
            try {
                return n.longValueExact();
            } catch (ArithmeticException e) {
                // reported below
            }
        }
        throw badCommand("The command needs an integer '" + name + "'.");
    }

    public static ApiException badCommand(String message) {
        return new ApiException(400, "bad_command", message);
    }
}
