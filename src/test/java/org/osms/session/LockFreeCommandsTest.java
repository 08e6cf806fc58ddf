package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.lang.reflect.Modifier;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Which login-conversation commands run without locking the identity's row (docs/protocol.md, "Authority"). A
 * command wrongly declared lock-free could be applied under a key that is no longer current, and nothing else would
 * show it: every other test passes with or without the lock. So the set is pinned here, over every handler the
 * server's registry ({@link Commands#byName}) collects: the application's classes implementing
 * {@link CommandHandler}, which the container finds as beans (bean-discovery-mode "annotated").
 */
class LockFreeCommandsTest {
    private static final Set<String> LOCK_FREE = Set.of("whoami", "fetch", "blocked", "quota", "export");

    @Test
    void exactlyTheReadingCommandsRunWithoutTheLock() throws Exception {
        Map<String, CommandHandler> registry = Commands.byName(handlers());

        Set<String> lockFree = new TreeSet<>();
        Set<String> locking = new TreeSet<>();
        registry.forEach((name, handler) -> (handler.changesNothing(name) ? lockFree : locking).add(name));

        assertEquals(new TreeSet<>(LOCK_FREE), lockFree);
        // Every other registered command locks; these are the ones that change the identity or its mailbox.
        assertTrue(locking.containsAll(Set.of("send", "ack", "block", "unblock", "rename", "replace-key",
                "unpublish-key", "publish-key", "revoke-key", "delete-account")), locking.toString());
        Set<String> all = new TreeSet<>(lockFree);
        all.addAll(locking);
        assertEquals(registry.keySet(), all);
        assertFalse(registry.containsKey("register")); // answered by Commands itself, before any authority
    }

    @Test
    void theProtocolNamesTheSameCommands() throws IOException {
        String protocol = Files.readString(Path.of("docs", "protocol.md"));
        Matcher m = Pattern.compile("The commands that change nothing — ((?:`[a-z-]+`(?:, )?)+) —").matcher(protocol);
        assertTrue(m.find(), "docs/protocol.md, \"Authority\", lists the commands that change nothing");
        Set<String> documented = Stream.of(m.group(1).split(", "))
                .map(s -> s.substring(1, s.length() - 1)).collect(Collectors.toSet());
        assertEquals(LOCK_FREE, documented);
    }

    /** Every concrete class of the application's that implements CommandHandler, one instance each. */
    private static List<CommandHandler> handlers() throws IOException, URISyntaxException, ReflectiveOperationException {
        Path classes = Path.of(CommandHandler.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        List<CommandHandler> found = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(classes)) {
            files = walk.filter(p -> p.toString().endsWith(".class")).toList();
        }
        for (Path file : files) {
            String relative = classes.relativize(file).toString();
            String name = relative.substring(0, relative.length() - ".class".length()).replace(file.getFileSystem()
                    .getSeparator(), ".");
            Class<?> c = Class.forName(name, false, LockFreeCommandsTest.class.getClassLoader());
            if (CommandHandler.class.isAssignableFrom(c) && !c.isInterface()
                    && !Modifier.isAbstract(c.getModifiers())) {
                // a handler the container would not find as a bean would silently answer nothing
                assertTrue(c.isAnnotationPresent(ApplicationScoped.class), c + " is not a bean");
                found.add((CommandHandler) c.getDeclaredConstructor().newInstance());
            }
        }
        assertTrue(found.size() >= 2, "the handlers were not found in " + classes + ": " + found);
        return found;
    }
}
