package org.osms.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.annotation.Resource;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.RuntimeMBeanException;
import javax.sql.DataSource;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.asset.StringAsset;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.client.OsmsException;
import org.osms.it.AuditPages;
import org.osms.it.Deployments;
import org.osms.it.Http;
import org.osms.it.OsmsCommand;
import org.osms.protocol.AuditRecord;
import org.osms.protocol.Fingerprint;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.ServerKeyHandover;
import org.osms.protocol.ServerKeyRecord;
import org.osms.protocol.Username;

/**
 * The administration MXBean as a JMX client uses it: looked up by its ObjectName in the platform MBeanServer and
 * called with open types only (strings and numbers, no OSMS class), while the service is observed from outside, over
 * HTTP, with the reference client library and the {@code osms} command itself.
 */
@ExtendWith(ArquillianExtension.class)
class AdministrationIT {
    private static final String CLIENT_JAR = "osms-client-jar.path";
    private static final String[] ONE_STRING = {String.class.getName()};
    private static final long DAY_MILLIS = 86_400_000L;

    @Deployment
    static WebArchive deployment() {
        return Deployments.osmsWith("osms-it-admin", AdministrationIT.class, OsmsCommand.class, OsmsCommand.Run.class)
                .addPackage(OsmsClient.class.getPackage())
                // the test runs inside the server, whose working directory is not the project's
                .addAsResource(new StringAsset(Path.of("target/osms-client.jar").toAbsolutePath().toString()),
                        CLIENT_JAR);
    }

    @ArquillianResource
    URL deploymentUrl;

    @Resource(lookup = "jdbc/osms")
    DataSource db;

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    record User(Username name, KeyPair key) {
        String fingerprint() {
            return OtrPublicKey.of(key.getPublic()).fingerprint().hex();
        }
    }

    // ---- the MXBean, as a JMX client calls it

    private static ObjectName name() {
        try {
            return new ObjectName("org.osms:type=Administration");
        } catch (javax.management.MalformedObjectNameException e) {
            throw new AssertionError(e);
        }
    }

    private long figure(String attribute) throws Exception {
        return ((Number) server.getAttribute(name(), attribute)).longValue();
    }

    private Map<String, Long> figures() throws Exception {
        Map<String, Long> all = new HashMap<>();
        for (MBeanAttributeInfo a : server.getMBeanInfo(name()).getAttributes()) {
            all.put(a.getName(), figure(a.getName()));
        }
        return all;
    }

    private Object invoke(String operation, String... args) throws Exception {
        return server.invoke(name(), operation, args, args.length == 0 ? new String[0] : ONE_STRING);
    }

    /** A refused operation: a plain IllegalArgumentException (no OSMS class crosses JMX), with the refusal's code. */
    private String refused(String operation, String arg) {
        RuntimeMBeanException e = assertThrows(RuntimeMBeanException.class, () -> invoke(operation, arg));
        assertEquals(IllegalArgumentException.class, e.getTargetException().getClass(), e.toString());
        return e.getTargetException().getMessage();
    }

    // ---- the service, from outside

    private Http http() {
        return Deployments.application(deploymentUrl);
    }

    private OsmsClient client() {
        return new OsmsClient(URI.create(http().base()));
    }

    private User register(String prefix) {
        User u = new User(Deployments.freshUsername(prefix), KeyStoreFiles.generate());
        OsmsClient c = client();
        c.register(u.name(), u.key(), c.serverKey()).logout();
        return u;
    }

    private OsmsClient.Session login(User u) {
        OsmsClient c = client();
        return c.login(u.name(), u.key(), c.serverKey());
    }

    private static JsonObject cmd(String name) {
        return Json.createObjectBuilder().add("command", name).build();
    }

    private void run(User u, String command) {
        OsmsClient.Session s = login(u);
        s.command(cmd(command));
        if (!s.ended()) {
            s.logout();
        }
    }

    private static void assertEnded(OsmsClient.Session s) {
        OsmsException e = assertThrows(OsmsException.class, () -> s.command(cmd("whoami")));
        assertEquals(404, e.status(), e.getMessage());
        assertEquals("unknown_session", e.code());
    }

    private JsonObject user(User u) {
        Http.Answer a = http().get("/user/" + u.name().value());
        assertEquals(200, a.status(), a.body());
        return a.json();
    }

    private long headSeq() {
        Http.Answer a = http().get("/audit?after=0&limit=1");
        assertEquals(200, a.status(), a.body());
        return a.json().getJsonNumber("headSeq").longValue();
    }

    private List<AuditRecord> auditAfter(long after) {
        Http.Answer a = http().get("/audit?after=" + after + "&limit=1000");
        assertEquals(200, a.status(), a.body());
        List<AuditRecord> entries = new ArrayList<>();
        for (JsonValue v : a.json().getJsonArray("entries")) {
            entries.add(AuditPages.record(v.asJsonObject()));
        }
        return entries;
    }

    private long identityId(User u) {
        Http.Answer a = http().get("/user/" + u.name().value() + "/history");
        assertEquals(200, a.status(), a.body());
        return a.json().getJsonNumber("identityId").longValue();
    }

    private OsmsCommand osms(Path home) throws IOException {
        String jar;
        try (InputStream in = AdministrationIT.class.getClassLoader().getResourceAsStream(CLIENT_JAR)) {
            jar = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        return new OsmsCommand(Path.of(jar), home, List.of("--server", http().base()), Map.of(),
                Duration.ofSeconds(120));
    }

    // ---- tests

    @Test
    void theMBeanIsAnMXBeanOfOpenTypesOnly() throws Exception {
        MBeanInfo info = server.getMBeanInfo(name());
        assertEquals("true", info.getDescriptor().getFieldValue("mxbean"));
        assertEquals(List.of("ActiveIdentities", "DeletedIdentities", "HandshakesInProgress", "LiveConversations",
                        "MessagesWaiting", "OldestWaitingMessageAgeSeconds", "RegistrationConversations",
                        "RevokedIdentities", "SuspendedIdentities", "UnpublishedIdentities"),
                java.util.Arrays.stream(info.getAttributes()).map(MBeanAttributeInfo::getName).sorted().toList());
        for (MBeanAttributeInfo a : info.getAttributes()) {
            assertNotNull(a.getDescriptor().getFieldValue("openType"), a.getName());
            assertFalse(a.isWritable(), a.getName() + " is a figure, not a setting");
            assertTrue(a.getType().equals("long") || a.getType().equals("int"), a.getName() + ": " + a.getType());
        }
        for (javax.management.MBeanOperationInfo o : info.getOperations()) {
            assertTrue(o.getReturnType().equals("java.lang.String") || o.getReturnType().equals("int"),
                    o.getName() + ": " + o.getReturnType());
            for (javax.management.MBeanParameterInfo p : o.getSignature()) {
                assertEquals("java.lang.String", p.getType(), o.getName());
            }
        }
        assertEquals(List.of("purgeExpiredMessages", "reinstate", "rotateServerKey", "suspend"),
                java.util.Arrays.stream(info.getOperations()).map(javax.management.MBeanOperationInfo::getName)
                        .sorted().toList());
    }

    @Test
    void figuresMatchIdentitiesConversationsAndMessagesInKnownStates() throws Exception {
        Map<String, Long> before = figures();

        User a1 = register("fig");
        User a2 = register("fig");
        User u1 = register("fig");
        run(u1, "unpublish-key");
        User r1 = register("fig");
        run(r1, "revoke-key");
        User d1 = register("fig");
        run(d1, "delete-account");
        User s1 = register("fig");
        invoke("suspend", s1.name().value());
        User s2 = register("fig");
        run(s2, "unpublish-key");
        invoke("suspend", s2.name().value());

        OsmsClient.Session first = login(a1);
        OsmsClient.Session second = login(a2);
        first.sendTo(a2.name().value(), "?OTRv3?");
        first.sendTo(a2.name().value(), "?OTRv3?");
        second.sendTo(a1.name().value(), "?OTRv3?");
        // one login handshake and one registration conversation, each after its first call
        Http.Answer login = http().send(HttpRequest.newBuilder(http().uri("/create_session"))
                .header("OSMS-Username", a1.name().value()).header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("?OTRv3?")));
        assertEquals(200, login.status(), login.body());
        Http.Answer registration = http().send(HttpRequest.newBuilder(http().uri("/create_session"))
                .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("?OTRv3?")));
        assertEquals(200, registration.status(), registration.body());

        Map<String, Long> after = figures();
        Map<String, Long> change = new HashMap<>();
        after.forEach((k, v) -> change.put(k, v - before.get(k)));
        change.remove("OldestWaitingMessageAgeSeconds");
        assertEquals(Map.of("ActiveIdentities", 2L, "UnpublishedIdentities", 1L, "RevokedIdentities", 1L,
                "DeletedIdentities", 1L, "SuspendedIdentities", 2L, "LiveConversations", 2L,
                "HandshakesInProgress", 1L, "RegistrationConversations", 1L, "MessagesWaiting", 3L), change);
        assertTrue(after.get("OldestWaitingMessageAgeSeconds") >= 0);

        first.logout();
        second.logout();
        assertEquals(before.get("LiveConversations"), figure("LiveConversations"));
        invoke("reinstate", s1.name().value());
        invoke("reinstate", s2.name().value());
        assertEquals(before.get("SuspendedIdentities"), figure("SuspendedIdentities"));
        assertEquals(before.get("ActiveIdentities") + 3, figure("ActiveIdentities"));
        assertEquals(before.get("UnpublishedIdentities") + 2, figure("UnpublishedIdentities"));
    }

    @Test
    void aSuspendedIdentityLosesItsConversationsAndLoginsUntilReinstatedToExactlyItsFormerState() throws Exception {
        User alice = register("susp");
        User bob = register("susp");
        OsmsClient.Session one = login(alice);
        OsmsClient.Session two = login(alice);
        OsmsClient.Session waiting = login(alice);
        OsmsClient.Session bystander = login(bob);
        assertEquals(alice.name().value(), one.command(cmd("whoami")).getString("username"));
        CompletableFuture<Object> poll = CompletableFuture.supplyAsync(() -> {
            try {
                return waiting.fetch(0, 10, 5);
            } catch (OsmsException e) {
                return e;
            }
        });
        long head = headSeq();
        long suspendedBefore = figure("SuspendedIdentities");

        assertEquals("suspended", invoke("suspend", alice.name().value()));

        // every live conversation of the identity has ended: its next command is the documented 404
        assertEnded(one);
        assertEnded(two);
        Object polled = poll.get(30, TimeUnit.SECONDS);
        assertTrue(polled instanceof OsmsException, "a waiting fetch of a suspended identity: " + polled);
        assertEquals("unknown_session", ((OsmsException) polled).code());
        // a new login is refused with its own code
        OsmsException refusedLogin = assertThrows(OsmsException.class, () -> login(alice));
        assertEquals(403, refusedLogin.status());
        assertEquals("identity_suspended", refusedLogin.code());
        // messages to it are refused like those to anyone who cannot log in
        OsmsException toSuspended = assertThrows(OsmsException.class,
                () -> bystander.sendTo(alice.name().value(), "?OTRv3?"));
        assertEquals("no_such_recipient", toSuspended.code());
        // the public view: status suspended, the published key still shown (it is still the identity's key)
        JsonObject view = user(alice);
        assertEquals("suspended", view.getString("status"));
        assertEquals(alice.fingerprint(), view.getString("fingerprint"));
        // exactly one audit entry, which names no change of name or key, and the whole log still verifies
        List<AuditRecord> added = auditAfter(head);
        assertEquals(1, added.size(), added.toString());
        AuditRecord suspended = added.get(0);
        assertEquals(head + 1, suspended.seq());
        assertEquals("suspended", suspended.event());
        assertEquals(identityId(alice), suspended.identityId());
        assertEquals(alice.name().value(), suspended.usernameBefore());
        assertEquals(alice.name().value(), suspended.usernameAfter());
        assertEquals(alice.fingerprint(), suspended.fingerprintBefore());
        assertEquals(alice.fingerprint(), suspended.fingerprintAfter());
        AuditPages.verifyWholeLog(http(), 1000);
        assertEquals(suspendedBefore + 1, figure("SuspendedIdentities"));
        // someone else's conversation is untouched
        assertEquals(bob.name().value(), bystander.command(cmd("whoami")).getString("username"));

        assertEquals("active", invoke("reinstate", alice.name().value()));

        List<AuditRecord> reinstated = auditAfter(head + 1);
        assertEquals(1, reinstated.size(), reinstated.toString());
        assertEquals("reinstated", reinstated.get(0).event());
        assertEquals(alice.fingerprint(), reinstated.get(0).fingerprintAfter());
        AuditPages.verifyWholeLog(http(), 1000);
        assertEquals("active", user(alice).getString("status"));
        OsmsClient.Session back = login(alice);
        JsonObject whoami = back.command(cmd("whoami"));
        assertEquals("active", whoami.getString("status"));
        assertEquals(alice.fingerprint(), whoami.getString("fingerprint"));
        bystander.sendTo(alice.name().value(), "?OTRv3?");
        assertEquals(1, back.fetch(0, 10, 0).getJsonArray("messages").size(), "it receives messages again");
        assertEquals(suspendedBefore, figure("SuspendedIdentities"));
        back.logout();
        bystander.logout();
    }

    @Test
    void anUnpublishedIdentityStaysHiddenWhileSuspendedAndIsReinstatedUnpublished() throws Exception {
        User carol = register("susp");
        run(carol, "unpublish-key");
        assertEquals("suspended", invoke("suspend", carol.name().value()));
        JsonObject view = user(carol);
        assertEquals("suspended", view.getString("status"));
        assertFalse(view.containsKey("fingerprint") || view.containsKey("publicKey"), view.toString());
        assertEquals("unpublished", invoke("reinstate", carol.name().value()));
        assertEquals("unpublished", user(carol).getString("status"));
        OsmsClient.Session s = login(carol);
        assertEquals("unpublished", s.command(cmd("whoami")).getString("status"));
        s.logout();
    }

    @Test
    void refusedOperationsSayWhyAndChangeNothing() throws Exception {
        User revoked = register("refuse");
        run(revoked, "revoke-key");
        User deleted = register("refuse");
        run(deleted, "delete-account");
        User active = register("refuse");
        User suspended = register("refuse");
        invoke("suspend", suspended.name().value());
        long head = headSeq();
        Map<String, Long> before = figures();
        before.remove("OldestWaitingMessageAgeSeconds"); // grows with the clock

        assertTrue(refused("suspend", Deployments.freshUsername("nobody").value()).contains("(unknown_user)"));
        assertTrue(refused("suspend", revoked.name().value()).contains("(identity_revoked)"));
        assertTrue(refused("suspend", deleted.name().value()).contains("(identity_deleted)"));
        assertTrue(refused("suspend", suspended.name().value()).contains("(no_change)"));
        assertTrue(refused("reinstate", active.name().value()).contains("(no_change)"));
        assertTrue(refused("reinstate", revoked.name().value()).contains("(no_change)"));
        assertTrue(refused("suspend", "not!a!name").contains("(bad_username)"));
        String none = refused("suspend", null);
        assertTrue(none.contains("required"), none);

        assertEquals(head, headSeq(), "no audit entry");
        Map<String, Long> after = figures();
        after.remove("OldestWaitingMessageAgeSeconds");
        assertEquals(before, after);
        assertEquals("revoked", user(revoked).getString("status"));
        assertEquals(410, http().get("/user/" + deleted.name().value()).status());
        assertEquals("active", user(active).getString("status"));
        assertEquals("suspended", user(suspended).getString("status"));
        invoke("reinstate", suspended.name().value());
    }

    @Test
    void theReferenceClientVerifiesAndPrintsALogWithSuspensions() throws Exception {
        Path dir = Files.createTempDirectory("osms-admin-it");
        User dave = register("hist");
        invoke("suspend", dave.name().value());
        invoke("reinstate", dave.name().value());
        OsmsCommand osms = osms(dir.resolve("home"));
        OsmsCommand.Run audit = osms.run("audit");
        assertEquals(0, audit.exit(), audit.toString());
        OsmsCommand.Run history = osms.run("history", dave.name().value());
        assertEquals(0, history.exit(), history.toString());
        List<String> events = history.out().lines().map(l -> l.split("  ")[1]).toList();
        assertEquals(List.of("registered", "suspended", "reinstated"), events, history.out());
    }

    @Test
    void purgeDeletesOnlyTheExpiredMessagesAndSaysHowMany() throws Exception {
        invoke("purgeExpiredMessages"); // whatever an earlier run left expired
        User sender = register("purge");
        User recipient = register("purge");
        OsmsClient.Session s = login(sender);
        s.sendTo(recipient.name().value(), "?OTRv3?");
        s.logout();
        long recipientId = identityId(recipient);
        long now = System.currentTimeMillis();
        // two messages received 31 and 40 days ago, past the test server's retention of 30 days
        storeOldMessage(recipientId, identityId(sender), sender, now - 31 * DAY_MILLIS);
        storeOldMessage(recipientId, identityId(sender), sender, now - 40 * DAY_MILLIS);
        long waiting = figure("MessagesWaiting");
        long age = figure("OldestWaitingMessageAgeSeconds");
        assertTrue(age >= 40 * 86_400 && age < 40 * 86_400 + 600, "the oldest waited 40 days: " + age);

        assertEquals(2, invoke("purgeExpiredMessages"));

        assertEquals(waiting - 2, figure("MessagesWaiting"));
        assertTrue(figure("OldestWaitingMessageAgeSeconds") < 30 * 86_400);
        OsmsClient.Session r = login(recipient);
        assertEquals(1, r.quota().getJsonObject("usage").getInt("messages"), "the fresh message stays");
        JsonObject fetched = r.fetch(0, 10, 0);
        assertEquals(1, fetched.getJsonArray("messages").size());
        assertEquals(1, fetched.getJsonArray("messages").getJsonObject(0).getInt("id"));
        r.logout();
        assertEquals(0, invoke("purgeExpiredMessages"), "nothing else was expired");
    }

    /** What an old message looks like in the database: a row of the mailbox, and the mailbox's counters with it. */
    private void storeOldMessage(long recipientId, long senderId, User sender, long receivedAt) throws SQLException {
        String body = "?OTRv3?";
        try (Connection c = db.getConnection()) {
            long seq;
            try (PreparedStatement p = c.prepareStatement("SELECT next_seq FROM mailbox WHERE identity_id = ?")) {
                p.setLong(1, recipientId);
                try (ResultSet rs = p.executeQuery()) {
                    assertTrue(rs.next());
                    seq = rs.getLong(1);
                }
            }
            try (PreparedStatement p = c.prepareStatement("INSERT INTO mailbox_message (recipient_id, seq, sender_id,"
                    + " sender_username, sender_fingerprint, received_at, body, body_length)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                p.setLong(1, recipientId);
                p.setLong(2, seq);
                p.setLong(3, senderId);
                p.setString(4, sender.name().value());
                p.setString(5, sender.fingerprint());
                p.setLong(6, receivedAt);
                p.setString(7, body);
                p.setInt(8, body.length());
                assertEquals(1, p.executeUpdate());
            }
            try (PreparedStatement p = c.prepareStatement("UPDATE mailbox SET next_seq = next_seq + 1, "
                    + "message_count = message_count + 1, byte_count = byte_count + ? WHERE identity_id = ?")) {
                p.setLong(1, body.length());
                p.setLong(2, recipientId);
                assertEquals(1, p.executeUpdate());
            }
        }
    }

    /**
     * The database holds the rules too, against the application's own account: the key history is append-only, and
     * a suspension cannot forget the status it must return to, nor a status remember one outside a suspension.
     */
    @Test
    void theDatabaseKeepsTheKeyHistoryAppendOnlyAndSuspensionsConsistent() throws Exception {
        User erin = register("dbrule");
        long id = identityId(erin);
        try (Connection c = db.getConnection(); java.sql.Statement s = c.createStatement()) {
            String denied = switch (c.getMetaData().getDatabaseProductName()) {
                case "PostgreSQL" -> "42501";
                case "H2" -> "90096";
                default -> throw new AssertionError(c.getMetaData().getDatabaseProductName());
            };
            assertEquals(denied, assertThrows(SQLException.class,
                    () -> s.executeUpdate("UPDATE server_key_history SET created_at = 0")).getSQLState());
            assertEquals(denied, assertThrows(SQLException.class,
                    () -> s.executeUpdate("DELETE FROM server_key_history")).getSQLState());
            assertViolatesACheck(s, "UPDATE identity SET status = 'SUSPENDED' WHERE id = " + id);
            assertViolatesACheck(s, "UPDATE identity SET status_before_suspension = 'ACTIVE' WHERE id = " + id);
            assertViolatesACheck(s, "UPDATE identity SET status = 'SUSPENDED', status_before_suspension = 'REVOKED' "
                    + "WHERE id = " + id);
        }
        assertEquals("active", user(erin).getString("status"), "nothing changed");
    }

    /** Class 23, an integrity constraint violation: the statement changed nothing. */
    private static void assertViolatesACheck(java.sql.Statement s, String sql) throws SQLException {
        int changed;
        try {
            changed = s.executeUpdate(sql);
        } catch (SQLException e) {
            assertEquals("23", e.getSQLState().substring(0, 2), sql + ": " + e.getMessage());
            return;
        }
        StringBuilder checks = new StringBuilder();
        try (ResultSet r = s.executeQuery(
                "SELECT constraint_name, check_clause FROM information_schema.check_constraints")) {
            while (r.next()) {
                checks.append(r.getString(1)).append(": ").append(r.getString(2)).append('\n');
            }
        }
        throw new AssertionError(sql + " changed " + changed + " row(s); the check constraints are:\n" + checks);
    }

    @Test
    void rotationsAtTheSameTimeEachSucceedInTurnAndTheLastIsServed() throws Exception {
        OsmsClient c = client();
        OtrPublicKey old = c.serverKey();
        int before = c.serverKeyHistory().size();
        int rotations = 4;
        List<CompletableFuture<Object>> running = new ArrayList<>();
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        // a thread each: the common pool has one thread on two processors, and would run them one after another
        java.util.concurrent.ExecutorService administrators = java.util.concurrent.Executors.newFixedThreadPool(rotations);
        List<String> rotated = new ArrayList<>();
        try {
            for (int i = 0; i < rotations; i++) {
                running.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        start.await();
                        return invoke("rotateServerKey");
                    } catch (Exception e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                }, administrators));
            }
            start.countDown();
            for (CompletableFuture<Object> r : running) {
                rotated.add((String) r.get(2, TimeUnit.MINUTES)); // none fails
            }
        } finally {
            administrators.shutdownNow();
        }

        List<ServerKeyRecord> history = c.serverKeyHistory();
        assertEquals(before + rotations, history.size(), "one entry per rotation, nothing else");
        List<String> added = history.subList(before, history.size()).stream().map(ServerKeyRecord::fingerprint)
                .toList();
        assertEquals(rotations, added.stream().distinct().count());
        assertEquals(new java.util.HashSet<>(rotated), new java.util.HashSet<>(added),
                "each administrator got the key their rotation stored");
        OtrPublicKey now = c.serverKey();
        assertEquals(added.get(rotations - 1), now.fingerprint().hex(), "the key served is the last one stored");
        // each handover is signed by the key before it: a client that pinned the old key follows all four
        assertEquals(rotations, ServerKeyHandover.follow(history, old.fingerprint(), now.fingerprint()).size() - 1);
        User user = register("rots");
        OsmsClient.Session session = c.login(user.name(), user.key(), now);
        assertEquals(user.name().value(), session.command(cmd("whoami")).getString("username"));
        session.logout();
    }

    @Test
    void aRotatedServerKeyIsServedWithASignedHandoverThatPinnedClientsFollowAndStrangersDoNot() throws Exception {
        Path dir = Files.createTempDirectory("osms-admin-it");
        OsmsClient c = client();
        OtrPublicKey old = c.serverKey();
        List<ServerKeyRecord> historyBefore = c.serverKeyHistory();
        assertEquals(old.fingerprint().hex(), historyBefore.get(historyBefore.size() - 1).fingerprint());
        // a reference client that pinned the old key on first contact, and one pinned to a key the server never had
        OsmsCommand pinnedOld = osms(dir.resolve("old"));
        assertEquals(0, pinnedOld.run("keygen").exit());
        Username name = Deployments.freshUsername("rot");
        OsmsCommand.Run registered = pinnedOld.run("register", name.value());
        assertEquals(0, registered.exit(), registered.toString());
        OsmsCommand pinnedElsewhere = osms(dir.resolve("stranger"));
        assertEquals(0, pinnedElsewhere.run("keygen").exit());
        String unrelated = OtrPublicKey.of(KeyStoreFiles.generate().getPublic()).fingerprint().hex();
        Files.writeString(dir.resolve("stranger").resolve("known_servers"), http().base() + " " + unrelated + "\n");
        User user = register("rot");
        OsmsClient.Session beforeRotation = login(user);

        String rotated = (String) invoke("rotateServerKey");

        // GET /pk serves the new key
        OtrPublicKey now = c.serverKey();
        assertEquals(rotated, now.fingerprint().hex());
        assertNotEquals(old.fingerprint(), now.fingerprint());
        // GET /pk/history: every key before, then the new one, whose handover both keys signed
        List<ServerKeyRecord> history = c.serverKeyHistory();
        assertEquals(historyBefore.size() + 1, history.size());
        for (int i = 0; i < historyBefore.size(); i++) {
            assertEquals(historyBefore.get(i).fingerprint(), history.get(i).fingerprint(), "history never changes");
        }
        ServerKeyRecord handover = history.get(history.size() - 1);
        assertEquals(historyBefore.size() + 1, handover.serial());
        assertNotNull(handover.previousKeySignature());
        assertEquals(List.of(history.get(history.size() - 2), handover),
                ServerKeyHandover.follow(history, old.fingerprint(), now.fingerprint()));
        assertThrows(ServerKeyHandover.BrokenHandover.class,
                () -> ServerKeyHandover.follow(history, Fingerprint.of(unrelated), now.fingerprint()));
        assertEquals(200, http().get("/pk/history").status(), "gob by default, too");

        // the conversation begun under the old key goes on; a login now proves the new key
        assertEquals(user.name().value(), beforeRotation.command(cmd("whoami")).getString("username"));
        beforeRotation.logout();
        OsmsException stale = assertThrows(OsmsException.class, () -> c.login(user.name(), user.key(), old));
        assertEquals("server_key_mismatch", stale.code());
        OsmsClient.Session after = c.login(user.name(), user.key(), now);
        assertEquals(user.name().value(), after.command(cmd("whoami")).getString("username"));
        after.logout();

        // the osms command that pinned the old key follows the handover, repins, and logs in
        OsmsCommand.Run whoami = pinnedOld.run("whoami");
        assertEquals(0, whoami.exit(), whoami.toString());
        assertTrue(whoami.out().contains("notice: the server rotated its key"), whoami.out());
        String known = Files.readString(dir.resolve("old").resolve("known_servers"));
        assertEquals(http().base() + " " + now.fingerprint().hex() + "\n", known);
        OsmsCommand.Run again = pinnedOld.run("whoami");
        assertEquals(0, again.exit(), again.toString());
        assertFalse(again.out().contains("notice"), "the new key is the pinned one now: " + again.out());
        // the one pinned to a key the server never had is refused, as before, and its pin stays
        OsmsCommand.Run strangers = pinnedElsewhere.run("register", Deployments.freshUsername("rot").value());
        assertEquals(1, strangers.exit(), strangers.toString());
        assertTrue(strangers.err().contains("(server_key_changed)"), strangers.err());
        assertEquals(http().base() + " " + unrelated + "\n",
                Files.readString(dir.resolve("stranger").resolve("known_servers")));
    }
}
