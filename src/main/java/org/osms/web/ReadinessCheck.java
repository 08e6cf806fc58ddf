package org.osms.web;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.osms.audit.AuditLog;

/**
 * Ready when the database answers a read of the audit log. One of two named checks ({@link ServerKeyCheck}), so that
 * the operator sees which one is down, at /health/ready on the admin endpoint (README, "Operator's console").
 */
@Readiness
@ApplicationScoped
public class ReadinessCheck implements HealthCheck {
    static final String NAME = "osms-database";

    @Inject
    AuditLog audit;

    @Override
    public HealthCheckResponse call() {
        try {
            audit.page(0, 1);
            return HealthCheckResponse.up(NAME);
        } catch (RuntimeException e) {
            return HealthCheckResponse.down(NAME);
        }
    }
}
