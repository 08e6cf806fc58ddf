package org.osms.persistence;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.security.SecureRandom;
import java.time.Clock;

/** The one clock and the one random source of the application; tests replace them by injection. */
@ApplicationScoped
public class Clocks {
    private final Clock clock = Clock.systemUTC();
    private final SecureRandom random = new SecureRandom();

    @Produces
    public Clock clock() {
        return clock;
    }

    @Produces
    public SecureRandom random() {
        return random;
    }
}
