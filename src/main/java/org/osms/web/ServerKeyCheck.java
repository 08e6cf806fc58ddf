package org.osms.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.osms.serverkey.ServerKey;

/** Ready when the server's OTR key is loaded: without it no login can be answered (see {@link ReadinessCheck}). */
@Readiness
@ApplicationScoped
public class ServerKeyCheck implements HealthCheck {
    static final String NAME = "osms-server-key";

    @Inject
    ServerKey serverKey;

    @Override
    public HealthCheckResponse call() {
        try {
            serverKey.publicKey();
            return HealthCheckResponse.up(NAME);
        } catch (RuntimeException e) {
            return HealthCheckResponse.down(NAME);
        }
    }
}
