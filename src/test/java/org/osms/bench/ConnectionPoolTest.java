package org.osms.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The benchmark reads Liberty's pool from the text its MBean returns; in use counts shared and unshared alike. */
class ConnectionPoolTest {
    @Test
    void inUseIsTheSharedAndUnsharedConnectionsOfThePool() {
        String contents = """
                PoolManager@1d8943be
                name=WebSphere:type=com.ibm.ws.jca.cm.mbean.ConnectionManagerMBean,jndiName=jdbc/osms,name=x
                jndiName=jdbc/osms
                maxPoolSize=50
                size=33
                waiting=0
                unshared=3
                 ManagedConnection@3f7e9b5d=ActiveInUse thread=null
                shared=17
                 ManagedConnection@578930cc=ActiveInUse thread=null transaction=2 connectionHandles=0
                available=13
                """;
        assertEquals(new ConnectionPool(33, 20), ConnectionPool.parse(contents));
    }

    @Test
    void anIdlePoolHasNoneInUse() {
        assertEquals(new ConnectionPool(2, 0), ConnectionPool.parse("size=2\nwaiting=0\nunshared=0\nshared=0\n"));
    }

    @Test
    void textWithoutTheCountsIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> ConnectionPool.parse("size=2\nwaiting=0\n"));
    }
}
