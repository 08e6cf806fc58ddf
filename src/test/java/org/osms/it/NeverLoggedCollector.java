package org.osms.it;

import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

/**
 * Starts {@link NeverLogged}'s collection when a test run starts, for every test class without any call of its own
 * (registered in {@code META-INF/services/org.junit.platform.launcher.LauncherSessionListener}).
 */
public final class NeverLoggedCollector implements LauncherSessionListener {
    @Override
    public void launcherSessionOpened(LauncherSession session) {
        NeverLogged.install();
    }
}
