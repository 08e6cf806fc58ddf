package org.osms.directory;

import jakarta.ejb.Schedule;
import jakarta.ejb.Singleton;
import jakarta.inject.Inject;

/** Forgets, every five minutes, the identities that have had no new key checked in the last hour. */
@Singleton
public class DirectorySweeper {
    @Inject
    DirectoryCommands commands;

    @Schedule(hour = "*", minute = "*/5", second = "45", persistent = false)
    void forgetIdleKeyChecks() {
        commands.forgetIdle();
    }
}
