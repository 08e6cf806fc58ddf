package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.transaction.UserTransaction;
import java.net.URI;
import java.net.URL;
import java.security.KeyPair;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.directory.Directory;
import org.osms.it.Deployments;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/**
 * The authority rule's lock (docs/protocol.md, "Authority"), against the server's real database: a command that
 * changes something waits for the identity's row, locked here by a transaction of the test's own, and runs once it is
 * free; a command that changes nothing reads the row without waiting for it.
 */
@ExtendWith(ArquillianExtension.class)
class AuthorityLockIT {
    @Deployment
    static WebArchive deployment() {
        return Deployments.osmsWith("osms-it-authority-lock", AuthorityLockIT.class)
                .addPackage(OsmsClient.class.getPackage());
    }

    @ArquillianResource
    URL deploymentUrl;

    @Inject
    Directory directory;

    @Resource(lookup = "java:comp/UserTransaction")
    UserTransaction tx;

    @Resource(lookup = "java:comp/DefaultManagedExecutorService")
    ManagedExecutorService executor;

    private static JsonObject cmd(String name) {
        return Json.createObjectBuilder().add("command", name).build();
    }

    @Test
    void aCommandThatChangesNothingDoesNotWaitForTheIdentitysLockAndOneThatChangesWaitsForIt() throws Exception {
        OsmsClient client = new OsmsClient(URI.create(Deployments.application(deploymentUrl).base()));
        OtrPublicKey serverKey = client.serverKey();
        Username name = Deployments.freshUsername("lock");
        Username renamed = Deployments.freshUsername("locked");
        KeyPair key = KeyStoreFiles.generate();
        client.register(name, key, serverKey).logout();
        long id = directory.findByUsername(name).orElseThrow().id();
        OsmsClient.Session session = client.login(name, key, serverKey);

        tx.begin();
        Future<JsonObject> rename;
        try {
            directory.lockForCommand(id).orElseThrow(); // held until this transaction ends
            JsonObject me = executor.submit(() -> session.command(cmd("whoami"))).get(10, TimeUnit.SECONDS);
            assertEquals(name.value(), me.getString("username"), "whoami answered while the row was locked");

            rename = executor.submit(() -> session.command(Json.createObjectBuilder().add("command", "rename")
                    .add("username", renamed.value()).build()));
            Thread.sleep(1500);
            assertFalse(rename.isDone(), "a rename waits for the identity's row");
        } finally {
            tx.rollback();
        }
        assertEquals(renamed.value(), rename.get(20, TimeUnit.SECONDS).getString("username"));
        assertEquals(renamed.value(), session.command(cmd("whoami")).getString("username"));
        assertEquals(renamed, directory.findByUsername(renamed).orElseThrow().username());
        session.logout();
    }
}
