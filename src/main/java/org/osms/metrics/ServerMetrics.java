package org.osms.metrics;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.function.Supplier;
import javax.naming.InitialContext;
import javax.naming.NamingException;
import org.eclipse.microprofile.metrics.Counter;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;
import org.eclipse.microprofile.metrics.Timer;

/**
 * The application's counters, gauge and timers, in MicroProfile Metrics' application registry. Tag values come only
 * from fixed sets the server defines, so hostile input can neither create metrics nor make a tag carry what it sent.
 *
 * <p>Every metric is tagged with the application's name ({@code app="osms"}): Liberty keeps one application registry
 * for the whole server, and the in-container test deployments, copies of this application, would otherwise count
 * into the application's own metrics and remove them when undeployed. (MicroProfile's own {@code mp.metrics.appName}
 * does not do: Liberty then adds the tag to its server-wide HTTP metrics for this application only, and those refuse
 * the mixed tag sets.)
 */
@ApplicationScoped
public class ServerMetrics {
    /** Commands whose name is not one of the protocol's are counted under this one. */
    public static final String OTHER = "other";
    /**
     * The endpoint of the answers given before any endpoint was chosen: by OSMS's request filters (a malformed
     * negotiation header, a body too long, too slow, or over its circuit's share) or by the web container's error page.
     */
    public static final String REFUSED_EARLY = "refused_early";

    @Inject
    MetricRegistry registry;

    private Tag app;

    @PostConstruct
    void nameTheApplication() {
        try {
            app = new Tag("app", (String) new InitialContext().lookup("java:app/AppName"));
        } catch (NamingException | ClassCastException e) {
            app = new Tag("app", "osms");
        }
    }

    /*
     * Each metric is looked up in the registry once and kept: a lookup by name and tags builds and compares the
     * metric's identity on every call, which showed in profiles of the public endpoints. The registry keeps what it
     * returned for as long as this application runs, and this bean lives exactly as long.
     */
    private final ConcurrentMap<String, Counter> counters = new ConcurrentHashMap<>();
    /** osms.commands by its command tag: the name itself is the key, so counting builds no string. */
    private final ConcurrentMap<String, Counter> commands = new ConcurrentHashMap<>();
    private final ConcurrentMap<String, Timer> timers = new ConcurrentHashMap<>();
    /** osms.responses by endpoint, then by status. */
    private final ConcurrentMap<String, ConcurrentMap<Integer, Counter>> responses = new ConcurrentHashMap<>();

    private Counter counter(String name) {
        return counters.computeIfAbsent(name, n -> registry.counter(n, app));
    }

    public void handshakeStarted() {
        counter("osms.handshakes.started").inc();
    }

    public void handshakeCompleted() {
        counter("osms.handshakes.completed").inc();
    }

    public void handshakeFailed() {
        counter("osms.handshakes.failed").inc();
    }

    /** One command: {@code name} is one of the protocol's command names or {@link #OTHER}, never what a client sent. */
    public void command(String name) {
        commands.computeIfAbsent(name, n -> registry.counter("osms.commands", app, new Tag("command", n))).inc();
    }

    public void messageRelayed() {
        counter("osms.messages.relayed").inc();
    }

    /** How long one request took, by its endpoint's path template ({@code /user/{username}}, never the name). */
    public void request(String endpoint, Duration took) {
        timers.computeIfAbsent(endpoint, e -> registry.timer("osms.requests", app, new Tag("endpoint", e)))
                .update(took);
    }

    /**
     * One answer, by the endpoint's path template (or {@link RequestTiming#UNMATCHED}, or {@link #REFUSED_EARLY}) and
     * its status. Both come from the server: a request cannot name a tag value (Liberty's own HTTP metrics, which
     * made a series of every request method a client invented, are off in server.xml).
     */
    public void response(String endpoint, int status) {
        int kept = status >= 100 && status <= 599 ? status : 0;
        responses.computeIfAbsent(endpoint, e -> new ConcurrentHashMap<>())
                .computeIfAbsent(kept, k -> registry.counter("osms.responses", app, new Tag("endpoint", endpoint),
                        new Tag("status", k == 0 ? OTHER : Integer.toString(k))))
                .inc();
    }

    /** The conversations open now, read whenever the metrics are. */
    public void liveConversations(Supplier<Integer> live) {
        registry.gauge("osms.conversations.live", live, app);
    }
}
