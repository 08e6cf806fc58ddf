package org.osms.admin;

import jakarta.inject.Inject;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.annotation.WebListener;
import java.lang.management.ManagementFactory;
import java.util.logging.Level;
import java.util.logging.Logger;
import javax.management.InstanceAlreadyExistsException;
import javax.management.InstanceNotFoundException;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Registers the administration MXBean in the platform MBeanServer when the application starts, and unregisters it
 * when it stops. Liberty's REST connector serves the platform MBeanServer, so a console reaches it there.
 *
 * <p>One name per server: should another application on the same server (a second deployment of this WAR) hold it
 * already, that one stays the server's administration, and this one neither replaces nor, when it stops, removes it.
 */
@WebListener
public class AdministrationStartup implements ServletContextListener {
    private static final Logger LOG = Logger.getLogger(AdministrationStartup.class.getName());

    @Inject
    Administration administration;

    private volatile boolean registered;

    @Override
    public void contextInitialized(ServletContextEvent event) {
        try {
            platform().registerMBean(new AdministrationConsole(administration), name());
            registered = true;
        } catch (InstanceAlreadyExistsException another) {
            LOG.fine("The administration MXBean is registered by another application of this server already.");
        } catch (JMException e) {
            throw new IllegalStateException("Cannot register the administration MXBean", e);
        }
    }

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        if (!registered) {
            return;
        }
        try {
            platform().unregisterMBean(name());
        } catch (InstanceNotFoundException gone) {
            // unregistered by someone else: nothing left to do
        } catch (JMException e) {
            LOG.log(Level.WARNING, "Cannot unregister the administration MXBean", e);
        }
        registered = false;
    }

    private static MBeanServer platform() {
        return ManagementFactory.getPlatformMBeanServer();
    }

    private static ObjectName name() throws JMException {
        return new ObjectName(AdministrationMXBean.OBJECT_NAME);
    }
}
