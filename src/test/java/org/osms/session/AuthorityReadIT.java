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
        read(identity, proven, epochOf(identity), meanwhile);
    }

    /** A read by a conversation that logged in (or last replaced its key) at {@code epoch}. */
    private void read(Identity identity, Fingerprint proven, long epoch, Runnable meanwhile) {
        authority.run(identity.id(), proven, epoch, new byte[32], false, true, null, new CommitPoint(), caller -> {
            assertEquals(identity.id(), caller.identityId());
            meanwhile.run();
        });
    }

    /** The identity's authority epoch as committed now. */
    private long epochOf(Identity identity) {
        return directory.find(identity.id()).orElseThrow().authorityEpoch();
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
        long epoch = epochOf(identity);
        assertThrows(Authority.Lost.class, () -> read(identity, key, epoch,
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

    /** Undone before the read ends, as through another server: the key and status read again are as before. */
    @Test
    void aReadRacingASuspensionLiftedAgainIsRefused() {
        refusedWhenMeanwhile(registered(), i -> {
            directory.suspend(i.username());
            directory.reinstate(i.username());
        });
    }

    @Test
    void aReadRacingAKeyReplacedAndReplacedBackIsRefused() {
        refusedWhenMeanwhile(registered(), i -> {
            directory.replaceKey(i.id(), Deployments.freshKey());
            directory.replaceKey(i.id(), i.publicKey().orElseThrow());
        });
    }

    @Test
    void aReadWithNothingChangedMeanwhileAnswers() {
        Identity identity = registered();
        Fingerprint key = identity.fingerprint().orElseThrow();
        long epoch = epochOf(identity);
        AtomicReference<String> renamed = new AtomicReference<>();
        // a change that leaves the key and the right to log in alone (a rename, the key's publication) does not
        // refuse the read
        read(identity, key, epoch, () -> committedElsewhere(() -> renamed.set(directory.rename(identity.id(),
                Deployments.freshUsername("reread")).username().value())));
        assertEquals(renamed.get(), directory.find(identity.id()).orElseThrow().username().value());
        directory.unpublishKey(identity.id());
        directory.publishKey(identity.id());
        read(identity, key, epoch, () -> { });
        assertEquals(epoch, epochOf(identity));
    }

    /**
     * A suspension lifted again, committed by another server on the same database (this server's registry never
     * heard of it): the key and the status are as they were, and still a conversation that logged in before the
     * suspension may no longer act. One that logged in after it may.
     */
    @Test
    void aSuspensionLiftedSinceTheLoginStillRefuses() {
        Identity identity = registered();
        Fingerprint key = identity.fingerprint().orElseThrow();
        long before = epochOf(identity);
        directory.suspend(identity.username());
        directory.reinstate(identity.username());
        Identity now = directory.find(identity.id()).orElseThrow();
        assertEquals(identity.status(), now.status());
        assertEquals(identity.fingerprint(), now.fingerprint());
        assertThrows(Authority.Lost.class, () -> read(identity, key, before, () -> { }));
        assertEquals(before + 1, now.authorityEpoch());
        read(identity, key, now.authorityEpoch(), () -> { });
    }

    /** The same for a key replaced and then replaced back: the old key is current again, its old logins are not. */
    @Test
    void aKeyReplacedAndReplacedBackStillRefusesTheLoginsOfBefore() {
        Identity identity = registered();
        Fingerprint key = identity.fingerprint().orElseThrow();
        OtrPublicKey first = identity.publicKey().orElseThrow();
        long before = epochOf(identity);
        directory.replaceKey(identity.id(), Deployments.freshKey());
        directory.replaceKey(identity.id(), first);
        assertEquals(key, directory.find(identity.id()).orElseThrow().fingerprint().orElseThrow());
        assertThrows(Authority.Lost.class, () -> read(identity, key, before, () -> { }));
        assertEquals(before + 2, epochOf(identity));
        read(identity, key, epochOf(identity), () -> { });
    }
}
