package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The protocol names the commands that run without locking the identity's row (docs/protocol.md, "Authority"): the
 * same ones that {@link AuthorityLockIT} finds lock-free in the server's registry and sees answer while the row is
 * locked. That test runs in the container, where the document is not at hand.
 */
class LockFreeCommandsTest {
    @Test
    void theProtocolNamesTheCommandsThatRunWithoutTheLock() throws IOException {
        String protocol = Files.readString(Path.of("docs", "protocol.md"));
        Matcher m = Pattern.compile("The commands that change nothing — ((?:`[a-z-]+`(?:, )?)+) —").matcher(protocol);
        assertTrue(m.find(), "docs/protocol.md, \"Authority\", lists the commands that change nothing");
        Set<String> documented = Stream.of(m.group(1).split(", "))
                .map(s -> s.substring(1, s.length() - 1)).collect(Collectors.toSet());
        assertEquals(AuthorityLockIT.LOCK_FREE, documented);
    }
}
