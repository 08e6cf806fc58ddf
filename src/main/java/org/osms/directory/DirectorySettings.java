package org.osms.directory;

import jakarta.annotation.PostConstruct;
import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The directory's settings, read once from the server configuration (liberty/config/server.xml; each can be set by an
 * environment variable, see README) and checked when the application starts.
 */
@ApplicationScoped
public class DirectorySettings {
    @Resource(lookup = "osms/directory/changesPerDay")
    Object changesPerDaySetting;

    private int changesPerDay;

    @PostConstruct
    void read() {
        try {
            changesPerDay = Integer.parseInt(String.valueOf(changesPerDaySetting).trim());
        } catch (NumberFormatException e) {
            changesPerDay = -1;
        }
        if (changesPerDay < 1 || changesPerDay > 1_000_000) {
            throw new IllegalStateException("OSMS_IDENTITY_CHANGES_PER_DAY must be a whole number from 1 to 1000000");
        }
    }

    /**
     * How many changes an identity's owner may make in any 24 hours: renames, key replacements, and publishing or
     * unpublishing the key. Each claims a name or key for good or lengthens the public log, which nobody can shorten;
     * without a limit one login could claim names by the thousand and grow the log without end. Revoking and
     * deleting, which end an identity, are never limited.
     */
    public int changesPerDay() {
        return changesPerDay;
    }
}
