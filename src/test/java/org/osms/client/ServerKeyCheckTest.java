package org.osms.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPair;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.ServerKeyHandover;
import org.osms.protocol.ServerKeyRecord;

/** The reference client's decision about the server's key: pinned, rotated with a signed handover, or refused. */
class ServerKeyCheckTest {
    private static final KeyPair OLD = KeyStoreFiles.generate();
    private static final KeyPair NEW = KeyStoreFiles.generate();
    private static final KeyPair STRANGER = KeyStoreFiles.generate();

    private final AtomicInteger historyReads = new AtomicInteger();

    private static OtrPublicKey pub(KeyPair k) {
        return OtrPublicKey.of(k.getPublic());
    }

    private static List<ServerKeyRecord> rotatedHistory() {
        OtrPublicKey o = pub(OLD);
        OtrPublicKey n = pub(NEW);
        byte[] said = ServerKeyHandover.statement(2, o.fingerprint().hex(), n.fingerprint().hex(), 20);
        return List.of(new ServerKeyRecord(1, o.serialized(), o.fingerprint().hex(), 10, null, null),
                new ServerKeyRecord(2, n.serialized(), n.fingerprint().hex(), 20,
                        ServerKeyHandover.sign(said, OLD.getPrivate()), ServerKeyHandover.sign(said, NEW.getPrivate())));
    }

    private Supplier<List<ServerKeyRecord>> counted(Supplier<List<ServerKeyRecord>> history) {
        return () -> {
            historyReads.incrementAndGet();
            return history.get();
        };
    }

    @Test
    void theFirstKeyIsPinnedAndThePinnedKeyAcceptedWithoutReadingTheHistory() {
        assertEquals(ServerKeyCheck.Outcome.FIRST_USE,
                ServerKeyCheck.check(Optional.empty(), pub(OLD), counted(List::of)).outcome());
        ServerKeyCheck.Result same = ServerKeyCheck.check(Optional.of(pub(OLD).fingerprint().hex()), pub(OLD),
                counted(List::of));
        assertEquals(ServerKeyCheck.Outcome.UNCHANGED, same.outcome());
        assertEquals(0, historyReads.get());
    }

    @Test
    void aRotatedKeyIsAcceptedWhenTheHistoryProvesTheHandoverFromThePinnedKey() {
        ServerKeyCheck.Result r = ServerKeyCheck.check(Optional.of(pub(OLD).fingerprint().hex()), pub(NEW),
                counted(ServerKeyCheckTest::rotatedHistory));
        assertEquals(ServerKeyCheck.Outcome.ROTATED, r.outcome(), r.message());
        assertTrue(r.accepted());
        assertTrue(r.message().contains("1 signed handover"), r.message());
        assertEquals(1, historyReads.get());
    }

    @Test
    void aClientPinnedToAnUnrelatedKeyIsStillRefused() {
        ServerKeyCheck.Result r = ServerKeyCheck.check(Optional.of(pub(STRANGER).fingerprint().hex()), pub(NEW),
                counted(ServerKeyCheckTest::rotatedHistory));
        assertEquals(ServerKeyCheck.Outcome.CHANGED, r.outcome());
        assertFalse(r.accepted());
        assertTrue(r.message().contains("not in the server's key history"), r.message());
    }

    @Test
    void aKeyTheHistoryDoesNotEndWithIsRefused() {
        // an interceptor shows the honest history but proves its own key
        ServerKeyCheck.Result r = ServerKeyCheck.check(Optional.of(pub(OLD).fingerprint().hex()), pub(STRANGER),
                counted(ServerKeyCheckTest::rotatedHistory));
        assertEquals(ServerKeyCheck.Outcome.CHANGED, r.outcome());
        assertTrue(r.message().contains("not the last key"), r.message());
    }

    @Test
    void anUnreadableHistoryIsARefusalNotACrash() {
        ServerKeyCheck.Result r = ServerKeyCheck.check(Optional.of(pub(OLD).fingerprint().hex()), pub(NEW),
                () -> {
                    throw new OsmsException(404, "not_found", "No such endpoint.");
                });
        assertEquals(ServerKeyCheck.Outcome.CHANGED, r.outcome());
        assertTrue(r.message().contains("not_found"), r.message());
        assertEquals(ServerKeyCheck.Outcome.CHANGED, ServerKeyCheck.check(Optional.of("not a fingerprint"), pub(NEW),
                ServerKeyCheckTest::rotatedHistory).outcome());
    }
}
