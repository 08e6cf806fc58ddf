package org.osms.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPairGenerator;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/** A suspension remembers the status it interrupted, and reinstatement restores exactly that status. */
class IdentitySuspensionTest {
    private static OtrPublicKey key;

    @BeforeAll
    static void aKey() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("DSA");
        g.initialize(1024);
        key = OtrPublicKey.of(g.generateKeyPair().getPublic());
    }

    private static Identity identity(IdentityStatus status) {
        Identity i = new Identity(7, Username.of("alice"), key, 1);
        if (status != IdentityStatus.ACTIVE) {
            i.changeStatus(status, 2);
        }
        return i;
    }

    @ParameterizedTest
    @EnumSource(value = IdentityStatus.class, names = {"ACTIVE", "UNPUBLISHED"})
    void reinstatementRestoresTheStatusBeforeTheSuspension(IdentityStatus before) {
        Identity i = identity(before);
        IdentityState state = i.state();
        i.suspend(3);
        assertEquals(IdentityStatus.SUSPENDED, i.status());
        assertEquals(Optional.of(before), i.statusBeforeSuspension());
        assertFalse(i.status().mayLogIn(), "a suspended identity cannot log in");
        assertFalse(i.status().isFinal());
        i.reinstate(4);
        assertEquals(before, i.status());
        assertEquals(Optional.empty(), i.statusBeforeSuspension());
        assertEquals(state.username(), i.state().username());
        assertEquals(state.fingerprint(), i.state().fingerprint(), "name and key never change");
        assertTrue(i.status().mayLogIn());
    }

    @ParameterizedTest
    @EnumSource(value = IdentityStatus.class, names = {"REVOKED", "DELETED"})
    void aClosedIdentityCannotBeSuspended(IdentityStatus closed) {
        Identity i = identity(closed);
        DirectoryException.IdentityClosed e = assertThrows(DirectoryException.IdentityClosed.class, () -> i.suspend(3));
        assertEquals("identity_" + closed.wireName(), e.code());
        assertEquals(closed, i.status());
        assertEquals(Optional.empty(), i.statusBeforeSuspension());
    }

    @Test
    void suspendingTwiceOrReinstatingWhatIsNotSuspendedChangesNothing() {
        Identity i = identity(IdentityStatus.UNPUBLISHED);
        assertEquals("no_change", assertThrows(DirectoryException.NoChange.class, () -> i.reinstate(3)).code());
        assertEquals(IdentityStatus.UNPUBLISHED, i.status());
        i.suspend(4);
        assertEquals("no_change", assertThrows(DirectoryException.NoChange.class, () -> i.suspend(5)).code());
        assertEquals(Optional.of(IdentityStatus.UNPUBLISHED), i.statusBeforeSuspension(),
                "a second suspension must not overwrite the status to return to");
    }

    @Test
    void onlySuspendAndReinstateEnterOrLeaveASuspension() {
        Identity i = identity(IdentityStatus.ACTIVE);
        assertThrows(IllegalStateException.class, () -> i.changeStatus(IdentityStatus.SUSPENDED, 3));
        i.suspend(3);
        assertThrows(IllegalStateException.class, () -> i.changeStatus(IdentityStatus.ACTIVE, 4));
        assertEquals(IdentityStatus.SUSPENDED, i.status());
    }
}
