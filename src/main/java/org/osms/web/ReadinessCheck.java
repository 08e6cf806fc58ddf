package org.osms.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.osms.audit.AuditLog;
import org.osms.serverkey.ServerKey;

/** Ready when the server key is loaded and the database answers. */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {
    @Inject
    ServerKey serverKey;

    @Inject
    AuditLog audit;

    @Override
    public HealthCheckResponse call() {
        try {
            serverKey.publicKey();
            audit.page(0, 1);
            return HealthCheckResponse.up("osms");
        } catch (RuntimeException e) {
            return HealthCheckResponse.down("osms");
        }
    }
}
