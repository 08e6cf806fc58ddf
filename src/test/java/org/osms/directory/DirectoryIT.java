package org.osms.directory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import java.net.URL;
import java.util.Base64;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osms.audit.AuditLog;
import org.osms.it.Deployments;
import org.osms.it.Http;
import org.osms.persistence.CommitPoint;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/**
 * The directory's use cases inside the container, against the server's real database, each checked through the
 * public HTTP endpoints a user relies on.
 */
@ExtendWith(ArquillianExtension.class)
class DirectoryIT {

    @Deployment
    static WebArchive deployment() {
        return Deployments.osmsWith("osms-it-directory", DirectoryIT.class);
    }

    @Inject
    Directory directory;

    @Inject
    AuditLog audit;

    @ArquillianResource
    URL deploymentUrl;

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    ManagedExecutorService executor;

    private Http http() {
        return Deployments.application(deploymentUrl);
    }

    @Test
    void aRegisteredUserIsPublicWithItsOneKeyWhateverTheCaseOfTheName() {
        Username name = Deployments.freshUsername("Reg");
        OtrPublicKey key = Deployments.freshKey();
        directory.register(name, key, new CommitPoint());

        Http.Answer a = http().get("/user/" + name.value().toUpperCase(java.util.Locale.ROOT));
        assertEquals(200, a.status(), a.body());
        JsonObject user = a.json();
        assertEquals(name.value(), user.getString("username"));
        assertEquals("active", user.getString("status"));
        assertEquals(key.fingerprint().hex(), user.getString("fingerprint"));
        assertEquals(key, OtrPublicKey.parse(Base64.getDecoder().decode(user.getString("publicKey"))));

        JsonObject history = http().get("/user/" + name.value() + "/history").json();
        assertEquals(1, history.getJsonArray("entries").size());
        JsonObject registered = history.getJsonArray("entries").getJsonObject(0);
        assertEquals("registered", registered.getString("event"));
        assertEquals(name.value(), registered.getString("usernameAfter"));
        assertEquals(key.fingerprint().hex(), registered.getString("fingerprintAfter"));
    }

    @Test
    void aRenameKeepsTheOldNameReservedForItsIdentityOnly() {
        Username first = Deployments.freshUsername("first");
        Username second = Deployments.freshUsername("second");
        Identity alice = directory.register(first, Deployments.freshKey(), new CommitPoint());
        directory.rename(alice.id(), second);

        assertEquals(404, http().get("/user/" + first.value()).status(), "the old name no longer resolves");
        assertEquals(200, http().get("/user/" + second.value()).status());
        long headBefore = audit.page(0, 1).headSeq();
        assertThrows(DirectoryException.UsernameTaken.class,
                () -> directory.register(first, Deployments.freshKey(), new CommitPoint()),
                "no one else may take a used name");
        Identity other =
                directory.register(Deployments.freshUsername("other"), Deployments.freshKey(), new CommitPoint());
        assertThrows(DirectoryException.UsernameTaken.class, () -> directory.rename(other.id(), first));
        assertEquals(headBefore + 1, audit.page(0, 1).headSeq(), "only the successful registration was audited");

        directory.rename(alice.id(), first);
        assertEquals(200, http().get("/user/" + first.value()).status(), "the owner may return to its old name");

        List<String> events = http().get("/user/" + first.value() + "/history").json().getJsonArray("entries")
                .getValuesAs(JsonObject.class).stream().map(e -> e.getString("event")).toList();
        assertEquals(List.of("registered", "renamed", "renamed"), events);
    }

    @Test
    void aReplacedKeyIsTheOnlyKeyAndStaysClaimedByItsIdentity() {
        Username name = Deployments.freshUsername("rot");
        OtrPublicKey oldKey = Deployments.freshKey();
        OtrPublicKey newKey = Deployments.freshKey();
        Identity id = directory.register(name, oldKey, new CommitPoint());
        directory.replaceKey(id.id(), newKey);

        JsonObject user = http().get("/user/" + name.value()).json();
        assertEquals(newKey.fingerprint().hex(), user.getString("fingerprint"));
        JsonObject replaced = http().get("/user/" + name.value() + "/history").json().getJsonArray("entries")
                .getJsonObject(1);
        assertEquals("key_replaced", replaced.getString("event"));
        assertEquals(oldKey.fingerprint().hex(), replaced.getString("fingerprintBefore"));
        assertEquals(newKey.fingerprint().hex(), replaced.getString("fingerprintAfter"));
        assertThrows(DirectoryException.KeyInUse.class,
                () -> directory.register(Deployments.freshUsername("thief"), oldKey, new CommitPoint()),
                "a retired key cannot be registered by another identity");
        assertThrows(DirectoryException.KeyInUse.class,
                () -> directory.register(Deployments.freshUsername("thief"), newKey, new CommitPoint()));
    }

    @Test
    void anUnpublishedKeyIsHiddenUntilPublishedAgain() {
        Username name = Deployments.freshUsername("hide");
        Identity id = directory.register(name, Deployments.freshKey(), new CommitPoint());
        directory.unpublishKey(id.id());
        JsonObject hidden = http().get("/user/" + name.value()).json();
        assertEquals("unpublished", hidden.getString("status"));
        assertFalse(hidden.containsKey("publicKey"));
        assertFalse(hidden.containsKey("fingerprint"));
        assertThrows(DirectoryException.NoChange.class, () -> directory.unpublishKey(id.id()));

        directory.publishKey(id.id());
        assertEquals("active", http().get("/user/" + name.value()).json().getString("status"));
    }

    @Test
    void revocationIsFinalAndPublic() {
        Username name = Deployments.freshUsername("rev");
        Identity id = directory.register(name, Deployments.freshKey(), new CommitPoint());
        directory.revokeKey(id.id());
        JsonObject user = http().get("/user/" + name.value()).json();
        assertEquals("revoked", user.getString("status"));
        assertFalse(user.containsKey("publicKey"), "a revoked key is not offered for new conversations");
        assertThrows(DirectoryException.IdentityClosed.class,
                () -> directory.rename(id.id(), Deployments.freshUsername("zombie")));
        assertThrows(DirectoryException.IdentityClosed.class,
                () -> directory.replaceKey(id.id(), Deployments.freshKey()));
        assertThrows(DirectoryException.IdentityClosed.class, () -> directory.publishKey(id.id()));
    }

    @Test
    void deletionErasesTheKeyButKeepsTheNameReservedAndTheHistoryPublic() {
        Username name = Deployments.freshUsername("del");
        OtrPublicKey key = Deployments.freshKey();
        Identity id = directory.register(name, key, new CommitPoint());
        directory.delete(id.id());

        Http.Answer gone = http().get("/user/" + name.value());
        assertEquals(410, gone.status());
        assertEquals("deleted_user", gone.error());
        assertTrue(directory.find(id.id()).orElseThrow().publicKey().isEmpty(), "the key is erased");

        List<JsonObject> entries = http().get("/user/" + name.value() + "/history").json()
                .getJsonArray("entries").getValuesAs(JsonObject.class);
        assertEquals("deleted", entries.get(entries.size() - 1).getString("event"));
        assertThrows(DirectoryException.UsernameTaken.class,
                () -> directory.register(name, Deployments.freshKey(), new CommitPoint()));
    }

    @Test
    void racingRegistrationsOfOneNameLeaveExactlyOneOwner() throws Exception {
        Username contested = Deployments.freshUsername("race");
        List<Future<Identity>> attempts = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            OtrPublicKey key = Deployments.freshKey();
            attempts.add(executor.submit(() -> directory.register(contested, key, new CommitPoint())));
        }
        int won = 0;
        for (Future<Identity> attempt : attempts) {
            try {
                attempt.get(120, TimeUnit.SECONDS);
                won++;
            } catch (ExecutionException e) {
                assertTrue(e.getCause() instanceof DirectoryException.UsernameTaken,
                        "a loser learns the name is taken, not an internal error: " + e.getCause());
            }
        }
        assertEquals(1, won);
        assertEquals(1, http().get("/user/" + contested.value() + "/history").json().getJsonArray("entries").size(),
                "only the winner's registration is in the log");
    }

    @Test
    void historyPagesFollowNextAfterToTheEnd() {
        Username name = Deployments.freshUsername("pages");
        Identity id = directory.register(name, Deployments.freshKey(), new CommitPoint());
        directory.unpublishKey(id.id());
        directory.publishKey(id.id());

        JsonObject first = http().get("/user/" + name.value() + "/history?limit=2").json();
        assertEquals(2, first.getJsonArray("entries").size());
        long next = first.getJsonNumber("nextAfter").longValue();
        JsonObject second = http().get("/user/" + name.value() + "/history?limit=2&after=" + next).json();
        assertEquals(1, second.getJsonArray("entries").size());
        assertEquals("key_published", second.getJsonArray("entries").getJsonObject(0).getString("event"));
        assertFalse(second.containsKey("nextAfter"), "the last page says so");
    }
}
