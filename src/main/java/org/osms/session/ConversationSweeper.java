package org.osms.session;

import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.inject.Inject;
import java.time.Clock;

/** Ends idle conversations every few seconds (the beans' own @StatefulTimeout is only the outer bound). */
@Singleton
public class ConversationSweeper {
    @Inject
    ConversationRegistry registry;

    @Inject
    Clock clock;

    @Schedule(hour = "*", minute = "*", second = "*/5", persistent = false)
    void sweep() {
        registry.expireIdle(clock.instant());
    }
}
