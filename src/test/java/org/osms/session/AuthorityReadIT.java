package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osms.directory.Directory;
import org.osms.directory.Identity;
import org.osms.it.Deployments;
import org.osms.persistence.CommitPoint;
import org.osms.protocol.Fingerprint;
import org.osms.protocol.OtrPublicKey;

/**
 * A command that changes nothing reads the identity without locking it (docs/protocol.md, "Authority"). A change of
 * the key or the status that commits while it reads must not let its answer through: everything it answers was read
 * while the key was current. The change is committed here by a transaction of its own, from another thread, in the
 * middle of the command.
 */
@ExtendWith(ArquillianExtension.class)
class AuthorityReadIT {
    @Deployment
    static WebArchive deployment() {
        return Deployments.osmsWith("osms-it-authority-read", AuthorityReadIT.class);
    }

    @Inject
    Authority authority;

    @Inject
    Directory directory;

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    ManagedExecutorService executor;

    private Identity registered() {
        return directory.register(Deployments.freshUsername("read"), Deployments.freshKey(), new CommitPoint());
    }

    private void read(Identity identity, Fingerprint proven, Runnable meanwhile) {
        authority.run(identity.id(), proven, new byte[32], false, true, null, new CommitPoint(), caller -> {
            assertEquals(identity.id(), caller.identityId());
            meanwhile.run();
        });
    }

    private void committedElsewhere(Runnable change) {
        try {
            executor.submit(change).get(20, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Reads as {@code identity} with its key, while {@code change} commits in the middle of the read: the read must be
     * refused. Returns the key it read with.
     */
    private Fingerprint refusedWhenMeanwhile(Identity identity, Consumer<Identity> change) {
        Fingerprint key = identity.fingerprint().orElseThrow();
        assertThrows(Authority.Lost.class, () -> read(identity, key,
                () -> committedElsewhere(() -> change.accept(identity))));
        return key;
    }

    @Test
    void aReadRacingAKeyReplacementIsRefused() {
        Identity identity = registered();
        OtrPublicKey next = Deployments.freshKey();
        Fingerprint old = refusedWhenMeanwhile(identity, i -> directory.replaceKey(i.id(), next));
        // the new key reads; the old one no longer passes even the first check
        read(identity, next.fingerprint(), () -> { });
        assertThrows(Authority.Lost.class, () -> read(identity, old, () -> { }));
    }

    @Test
    void aReadRacingARevocationIsRefused() {
        refusedWhenMeanwhile(registered(), i -> directory.revokeKey(i.id()));
    }

    @Test
    void aReadRacingASuspensionIsRefused() {
        refusedWhenMeanwhile(registered(), i -> directory.suspend(i.username()));
    }

    @Test
    void aReadWithNothingChangedMeanwhileAnswers() {
        Identity identity = registered();
        Fingerprint key = identity.fingerprint().orElseThrow();
        AtomicReference<String> renamed = new AtomicReference<>();
        // a change that leaves the key and the right to log in alone (a rename) does not refuse the read
        read(identity, key, () -> committedElsewhere(() -> renamed.set(directory.rename(identity.id(),
                Deployments.freshUsername("reread")).username().value())));
        assertEquals(renamed.get(), directory.find(identity.id()).orElseThrow().username().value());
    }
}
