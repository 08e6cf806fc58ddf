package org.osms.metrics;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import org.eclipse.microprofile.metrics.MetricRegistry;
import org.eclipse.microprofile.metrics.Tag;

/**
 * The application's counters and timers, in MicroProfile Metrics' application registry. Tag values come only from
 * fixed sets the server defines, so hostile input can neither create metrics nor make a tag carry what it sent.
 */
@ApplicationScoped
public class ServerMetrics {
    /** Commands whose name is not one of the protocol's are counted under this one. */
    public static final String OTHER = "other";

    @Inject
    MetricRegistry registry;

    public void handshakeStarted() {
        registry.counter("osms.handshakes.started").inc();
    }

    public void handshakeCompleted() {
        registry.counter("osms.handshakes.completed").inc();
    }

    public void handshakeFailed() {
        registry.counter("osms.handshakes.failed").inc();
    }

    /** One command: {@code name} is one of the protocol's command names or {@link #OTHER}, never what a client sent. */
    public void command(String name) {
        registry.counter("osms.commands", new Tag("command", name)).inc();
    }

    public void messageRelayed() {
        registry.counter("osms.messages.relayed").inc();
    }

    /** How long one request took, by its endpoint's path template ({@code /user/{username}}, never the name). */
    public void request(String endpoint, Duration took) {
        registry.timer("osms.requests", new Tag("endpoint", endpoint)).update(took);
    }
}
