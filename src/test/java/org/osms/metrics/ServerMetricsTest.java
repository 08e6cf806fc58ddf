package org.osms.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.junit.jupiter.api.Test;

/**
 * The counters' names and tags as the registry receives them, each looked up once and then kept: commands as
 * {@code osms.commands} tagged with the command, beside the plain counters.
 */
class ServerMetricsTest {
    /** Each registry lookup, as "name{tag=value,…}", and the count of the counter it returned. */
    private final List<String> lookups = new ArrayList<>();
    private final Map<String, AtomicLong> counts = new HashMap<>();

    private ServerMetrics metrics() {
        ServerMetrics m = new ServerMetrics();
        m.registry = (MetricRegistry) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {MetricRegistry.class}, (proxy, method, args) -> {
                    if (!method.getName().equals("counter") || args.length != 2 || !(args[0] instanceof String)) {
                        throw new UnsupportedOperationException(method.toString());
                    }
                    String id = args[0] + Arrays.toString((Object[]) args[1]);
                    lookups.add(id);
                    AtomicLong count = counts.computeIfAbsent(id, k -> new AtomicLong());
                    return Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Counter.class},
                            (c, counterMethod, counterArgs) -> {
                                if (!counterMethod.getName().equals("inc") || counterArgs != null) {
                                    throw new UnsupportedOperationException(counterMethod.toString());
                                }
                                count.incrementAndGet();
                                return null;
                            });
                });
        m.nameTheApplication(); // no naming context here: the application's name falls back to "osms"
        return m;
    }

    @Test
    void eachCommandCountsUnderItsOwnTagAndIsLookedUpOnce() {
        ServerMetrics m = metrics();
        m.command("whoami");
        m.command("send");
        m.command("whoami");
        m.command(ServerMetrics.OTHER);
        m.messageRelayed();
        m.messageRelayed();
        m.handshakeStarted();

        String whoami = "osms.commands[Tag{app=osms}, Tag{command=whoami}]";
        String send = "osms.commands[Tag{app=osms}, Tag{command=send}]";
        String other = "osms.commands[Tag{app=osms}, Tag{command=other}]";
        String relayed = "osms.messages.relayed[Tag{app=osms}]";
        String started = "osms.handshakes.started[Tag{app=osms}]";
        assertEquals(List.of(whoami, send, other, relayed, started), lookups);
        Map<String, Long> counted = new HashMap<>();
        counts.forEach((id, count) -> counted.put(id, count.get()));
        assertEquals(Map.of(whoami, 2L, send, 1L, other, 1L, relayed, 2L, started, 1L), counted);
    }

    /**
     * Answers count by endpoint and status, each pair looked up once; a status outside 100–599 counts as "other",
     * so no value a request could influence becomes a tag of its own.
     */
    @Test
    void answersCountByEndpointAndStatusAndAStatusOutsideTheRangeIsOther() {
        ServerMetrics m = metrics();
        m.response("/pk", 200);
        m.response("/pk", 200);
        m.response("/pk", 404);
        m.response(ServerMetrics.REFUSED_EARLY, 413);
        m.response("/pk", 0);
        m.response("/pk", 99);
        m.response("/pk", 600);

        String prefix = "osms.responses[Tag{app=osms}, ";
        assertEquals(2, counts.get(prefix + "Tag{endpoint=/pk}, Tag{status=200}]").get());
        assertEquals(1, counts.get(prefix + "Tag{endpoint=/pk}, Tag{status=404}]").get());
        assertEquals(1, counts.get(prefix + "Tag{endpoint=refused_early}, Tag{status=413}]").get());
        assertEquals(3, counts.get(prefix + "Tag{endpoint=/pk}, Tag{status=other}]").get());
        assertEquals(4, lookups.size(), "each pair looked up once: " + lookups);
    }
}
