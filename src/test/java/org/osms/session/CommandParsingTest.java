package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.JsonObject;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the server takes for a command: one JSON object and nothing else, whatever the parser makes of the rest. */
class CommandParsingTest {
    @Test
    void aCommandIsReadWithItsMembers() {
        Optional<JsonObject> command = Commands.parse(" {\"command\":\"fetch\",\"seq\":7,\"after\":12} \n");
        assertTrue(command.isPresent());
        assertEquals("fetch", command.get().getString("command"));
        assertEquals(7, command.get().getInt("seq"));
        assertEquals(12, command.get().getInt("after"));
        assertEquals(3, command.get().size());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "",
        "   ",
        "this is not JSON",
        "[{\"seq\":1}]",
        "\"seq\"",
        "17",
        "{\"seq\":1",
        "{\"seq\":1}{",
        "{\"seq\":1} {\"seq\":2}",
        "{\"seq\":1} x",
        // numbers the parser cannot hold: exponent overflow, scale out of range
        "{\"command\":\"fetch\",\"seq\":1,\"after\":1e9999999999}",
        "{\"seq\":1,\"x\":1E-2147483648}",
    })
    void anythingButOneObjectIsMalformed(String plaintext) {
        assertEquals(Optional.empty(), Commands.parse(plaintext));
    }

    @Test
    void aNumberLongerThanTheParsersLimitIsMalformed() {
        assertEquals(Optional.empty(), Commands.parse("{\"seq\":1,\"x\":0." + "1".repeat(1200) + "}"));
        assertEquals(Optional.empty(), Commands.parse("{\"seq\":1,\"x\":" + "1".repeat(1200) + "}"));
    }

    @Test
    void nestingDeeperThanTheParsersLimitIsMalformed() {
        assertEquals(Optional.empty(),
                Commands.parse("{\"seq\":1,\"x\":" + "[".repeat(1001) + "]".repeat(1001) + "}"));
    }
}
