package org.osms.bench;

import static org.osms.protocol.JsonDocuments.JSON;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.net.URI;
import java.security.KeyPair;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.osms.client.KeyStoreFiles;
import org.osms.client.OsmsClient;
import org.osms.h2.DurableDataSource;
import org.osms.messaging.FetchPage;
import org.osms.otr.OtrConversation;
import org.osms.otr.OtrFailure;
import org.osms.otr.OtrHandshakes;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.Username;

/**
 * The relay benchmark of docs/performance.md: messages carried {@code send} → {@code fetch} → {@code ack} by the
 * reference client over HTTP, against the two limits of the same work measured in the same run: plain JDBC doing the
 * same rows' insert, select and delete on the same database engine with the server's settings, and otr4j doing the
 * same login-conversation data messages in this process. Two patterns:
 *
 * <ul>
 * <li><b>chat</b>: {@link #PAIRS} pairs of users, one thread per pair; each operation relays one message, and the
 * direction alternates (A sends, B fetches and acks; then B sends, A fetches and acks).
 * <li><b>burst</b>: {@link #PAIRS} pairs, one thread per pair; each operation is {@link #BURST} sends from A, then
 * {@code fetch}es of pages of up to {@link #BURST} by B until none is left ({@link FetchPage}: a page ends early when
 * its reply would be too long), and one {@code ack} of all of them.
 * </ul>
 *
 * <p>The bodies are valid OTR version 3 data messages made once, before the runs, by a real OTR conversation between
 * two otr4j sessions in this process (the relay enforces {@code not_otr}, never decrypts them): the users' own
 * end-to-end encryption is not part of what is measured, on either side.
 */
final class RelayBenchmark {
    static final int PAIRS = Integer.getInteger("osms.bench.relayPairs", 2);
    static final int BURST = 100;
    /** {@code osms.bench.relayPatterns}: {@code chat}, {@code burst} or both (the default), comma-separated. */
    private static final List<Pattern> PATTERNS = java.util.Arrays.stream(
            System.getProperty("osms.bench.relayPatterns", "chat,burst").split(","))
            .map(n -> Pattern.valueOf(n.trim().toUpperCase(Locale.ROOT))).toList();
    /** Distinct bodies, used in turn. */
    private static final int BODIES = 64;
    /** What a chat message says (before end-to-end encryption): a short line. */
    private static final String TEXT = "see you at the station at six?";

    private final URI base;
    private final Duration run;
    private final List<String> bodies;

    RelayBenchmark(URI base, Duration run) throws OtrFailure {
        this.base = base;
        this.run = run;
        this.bodies = endToEndBodies();
    }

    /** The rows of the table: each pattern against the lower of its two limits. */
    List<Benchmarks.Row> rows() throws Exception {
        List<Benchmarks.Row> rows = new ArrayList<>();
        for (Pattern p : PATTERNS) {
            Benchmarks.Measure jdbc;
            try (LimitDatabase db = LimitDatabase.open(PAIRS)) {
                jdbc = measure("plain JDBC, " + p.label, p.perOperation, jdbc(db, p));
            }
            Benchmarks.Measure otr = measure("in-process otr4j, " + p.label, p.perOperation, otr(p));
            Benchmarks.Measure osms = measure("relay, " + p.label, p.perOperation, osms(p));
            boolean jdbcLower = jdbc.median().perSecond() <= otr.median().perSecond();
            Benchmarks.Measure lower = jdbcLower ? jdbc : otr;
            Benchmarks.Measure other = jdbcLower ? otr : jdbc;
            String jdbcName = "plain JDBC insert + select + delete of the same rows (" + LimitDatabase.describe() + ")";
            String otrName = "in-process otr4j, the same login-conversation data messages (both sides)";
            rows.add(new Benchmarks.Row("relay, " + p.description + ", messages/s (" + PAIRS + " pairs)", osms,
                    String.format(Locale.ROOT, "lower of: %s, %d threads [the other: %s, %.0f/s]",
                            jdbcLower ? jdbcName : otrName, PAIRS, jdbcLower ? otrName : jdbcName,
                            other.median().perSecond()), lower, 0.5));
        }
        return rows;
    }

    enum Pattern {
        CHAT("chat", "chat (alternating, one message per exchange; p50/p99 per message)", 1),
        BURST("burst", "burst (" + RelayBenchmark.BURST + " sends, fetched in pages, one ack; p50/p99 per burst)",
                RelayBenchmark.BURST);

        final String label;
        final String description;
        final int perOperation;

        Pattern(String label, String description, int perOperation) {
            this.label = label;
            this.description = description;
            this.perOperation = perOperation;
        }
    }

    /** Measured as {@link Benchmarks#measure} measures; each operation relays {@code perOperation} messages. */
    private Benchmarks.Measure measure(String what, int perOperation, Benchmarks.Operation op) throws Exception {
        return Benchmarks.measure(what, () -> {
            Benchmarks.Sample s = Benchmarks.once(PAIRS, op, run);
            return new Benchmarks.Sample(s.perSecond() * perOperation, s.p50Millis(), s.p99Millis());
        });
    }

    // -- OSMS: the reference client over HTTP

    /** Two users and their login conversations; {@code turn} alternates the chat's direction. */
    private static final class Pair {
        final Username[] names = new Username[2];
        final OsmsClient.Session[] sessions = new OsmsClient.Session[2];
        long turn;
    }

    private Benchmarks.Operation osms(Pattern p) {
        OsmsClient client = new OsmsClient(base);
        OtrPublicKey serverKey = client.serverKey();
        Pair[] pairs = new Pair[PAIRS];
        for (int i = 0; i < PAIRS; i++) {
            pairs[i] = new Pair();
            for (int side = 0; side < 2; side++) {
                Username name = Benchmarks.fresh("relay");
                KeyPair key = KeyStoreFiles.generate();
                client.register(name, key, serverKey).logout();
                pairs[i].names[side] = name;
                pairs[i].sessions[side] = client.login(name, key, serverKey);
            }
        }
        return thread -> {
            Pair pair = pairs[thread];
            int from = p == Pattern.CHAT ? (int) (pair.turn++ % 2) : 0;
            int to = 1 - from;
            int count = p == Pattern.CHAT ? 1 : BURST;
            List<String> sent = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                String body = bodies.get((int) ((pair.turn * BURST + i) % BODIES));
                pair.sessions[from].sendTo(pair.names[to].value(), body);
                sent.add(body);
            }
            // pages of up to BURST, as many as the server needs (a page ends early when the reply would be too long)
            List<Long> ids = new ArrayList<>(count);
            long after = 0;
            JsonObject page;
            do {
                page = pair.sessions[to].fetch(after, BURST, 0);
                JsonArray messages = page.getJsonArray("messages");
                for (int i = 0; i < messages.size(); i++) {
                    JsonObject m = messages.getJsonObject(i);
                    if (ids.size() == count || !m.getString("body").equals(sent.get(ids.size()))
                            || !m.getString("from").equals(pair.names[from].value())) {
                        throw new IllegalStateException("fetch did not return the messages sent");
                    }
                    ids.add(m.getJsonNumber("id").longValue());
                }
                after = page.containsKey("nextAfter") ? page.getJsonNumber("nextAfter").longValue() : after;
            } while (page.containsKey("nextAfter"));
            if (ids.size() != count) {
                throw new IllegalStateException("fetch returned " + ids.size() + " messages, not " + count);
            }
            int acked = pair.sessions[to].ack(ids);
            if (acked != count) {
                throw new IllegalStateException("ack removed " + acked + " messages, not " + count);
            }
            if (p == Pattern.BURST) {
                pair.turn++;
            }
        };
    }

    // -- limit (b): the same login-conversation OTR messages, both sides in this process

    /**
     * The client's and the server's ends of one user's login conversation, with what the plaintexts of its commands
     * and replies hold, so that each data message is about as long as the one OSMS carries.
     */
    private static final class Login {
        final OtrConversation client;
        final OtrConversation server;
        final String username;
        long seq;

        Login(String username) throws OtrFailure {
            this.username = username;
            client = new OtrConversation("client", "server", KeyStoreFiles.generate());
            server = new OtrConversation("server", "client", SERVER_KEY);
            OtrHandshakes.run(client, server);
            if (!client.isEncrypted() || !server.isEncrypted()) {
                throw new IllegalStateException("the in-process handshake did not complete");
            }
        }

        /** One command and its reply: a data message each way, each side encrypting one and decrypting one. */
        void command(JsonObjectBuilder command, JsonObjectBuilder reply) throws OtrFailure {
            seq++;
            String c = command.add("seq", seq).build().toString();
            String received = null;
            for (String m : client.send(c)) {
                received = server.receive(m).plaintext().orElse(received);
            }
            String r = reply.add("seq", seq).add("ok", true).build().toString();
            String answered = null;
            for (String m : server.send(r)) {
                answered = client.receive(m).plaintext().orElse(answered);
            }
            if (!c.equals(received) || !r.equals(answered)) {
                throw new IllegalStateException("the in-process command did not arrive");
            }
        }
    }

    private static final KeyPair SERVER_KEY = KeyStoreFiles.generate();

    private Benchmarks.Operation otr(Pattern p) throws OtrFailure {
        Login[][] logins = new Login[PAIRS][2];
        long[] turns = new long[PAIRS];
        for (int i = 0; i < PAIRS; i++) {
            for (int side = 0; side < 2; side++) {
                logins[i][side] = new Login(Benchmarks.fresh("relay").value());
            }
        }
        String fingerprint = OtrPublicKey.of(SERVER_KEY.getPublic()).fingerprint().hex();
        return thread -> {
            int from = p == Pattern.CHAT ? (int) (turns[thread]++ % 2) : 0;
            Login sender = logins[thread][from];
            Login recipient = logins[thread][1 - from];
            int count = p == Pattern.CHAT ? 1 : BURST;
            long now = System.currentTimeMillis();
            List<JsonObjectBuilder> stored = new ArrayList<>(count);
            List<Long> sizes = new ArrayList<>(count);
            JsonArrayBuilder ids = JSON.createArrayBuilder();
            for (int i = 0; i < count; i++) {
                String body = bodies.get((int) ((turns[thread] * BURST + i) % BODIES));
                sender.command(JSON.createObjectBuilder().add("command", "send").add("to", recipient.username)
                        .add("body", body), JSON.createObjectBuilder().add("to", recipient.username));
                long id = turns[thread] * BURST + i + 1;
                stored.add(JSON.createObjectBuilder().add("id", id).add("from", sender.username)
                        .add("fromIdentityId", Long.MAX_VALUE - id).add("fingerprint", fingerprint)
                        .add("receivedAt", now).add("body", body));
                sizes.add(FetchPage.estimate(sender.username.length(), body.length()));
                ids.add(id);
            }
            // the same pages as the server's: each ends before the message that would make its reply too long
            int at = 0;
            while (at < count) {
                JsonArrayBuilder page = JSON.createArrayBuilder();
                long used = 0;
                int start = at;
                while (at < count && (at == start || used + sizes.get(at) <= FetchPage.REPLY_BUDGET)) {
                    used += sizes.get(at);
                    page.add(stored.get(at++));
                }
                JsonObjectBuilder reply = JSON.createObjectBuilder().add("messages", page);
                if (at < count) {
                    reply.add("nextAfter", turns[thread] * BURST + at);
                }
                recipient.command(JSON.createObjectBuilder().add("command", "fetch").add("after", 0)
                        .add("limit", BURST).add("wait", 0), reply);
            }
            recipient.command(JSON.createObjectBuilder().add("command", "ack").add("ids", ids),
                    JSON.createObjectBuilder().add("acked", count));
            if (p == Pattern.BURST) {
                turns[thread]++;
            }
        };
    }

    /** Valid OTR data messages of a real conversation between two otr4j sessions: what a user's client sends. */
    private static List<String> endToEndBodies() throws OtrFailure {
        OtrConversation alice = new OtrConversation("alice", "bob", KeyStoreFiles.generate());
        OtrConversation bob = new OtrConversation("bob", "alice", KeyStoreFiles.generate());
        OtrHandshakes.run(alice, bob);
        List<String> bodies = new ArrayList<>();
        for (int i = 0; i < BODIES; i++) {
            List<String> out = alice.send(TEXT + " " + i);
            String last = out.get(out.size() - 1);
            if (!TEXT.concat(" " + i).equals(bob.receive(last).plaintext().orElse(null))) {
                throw new IllegalStateException("the end-to-end conversation did not carry a message");
            }
            bodies.add(last);
        }
        return bodies;
    }

    // -- limit (a): the same rows, plain JDBC, the same engine and settings as the server's

    private Benchmarks.Operation jdbc(LimitDatabase db, Pattern p) {
        long[] turns = new long[PAIRS];
        long[] nextSeq = new long[2 * PAIRS];
        return thread -> {
            int from = p == Pattern.CHAT ? (int) (turns[thread]++ % 2) : 0;
            int recipient = 2 * thread + (1 - from);
            int count = p == Pattern.CHAT ? 1 : BURST;
            Connection c = db.connections[thread];
            long first = nextSeq[recipient] + 1;
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO relay_limit_message (recipient_id, seq,"
                    + " sender_id, sender_username, sender_fingerprint, received_at, body, body_length)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
                for (int i = 0; i < count; i++) {
                    insert.setLong(1, recipient);
                    insert.setLong(2, ++nextSeq[recipient]);
                    insert.setLong(3, 2L * thread + from);
                    insert.setString(4, "relay0123456789ab");
                    insert.setString(5, "0123456789abcdef0123456789abcdef01234567");
                    insert.setLong(6, System.currentTimeMillis());
                    String body = bodies.get((int) ((turns[thread] * BURST + i) % BODIES));
                    insert.setString(7, body);
                    insert.setInt(8, body.length());
                    insert.executeUpdate();
                    c.commit();
                }
            }
            List<Long> seqs = new ArrayList<>(count);
            try (PreparedStatement select = c.prepareStatement("SELECT recipient_id, seq, sender_id, sender_username,"
                    + " sender_fingerprint, received_at, body FROM relay_limit_message WHERE recipient_id = ? AND seq > ?"
                    + " ORDER BY seq LIMIT " + (BURST + 1))) {
                select.setLong(1, recipient);
                select.setLong(2, 0);
                try (ResultSet r = select.executeQuery()) {
                    while (r.next()) {
                        seqs.add(r.getLong(2));
                        r.getLong(3);
                        r.getString(4);
                        r.getString(5);
                        r.getLong(6);
                        r.getString(7);
                    }
                }
                c.commit();
            }
            if (seqs.size() != count || seqs.get(0) != first) {
                throw new IllegalStateException("the select found " + seqs.size() + " rows, not " + count);
            }
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM relay_limit_message WHERE recipient_id = ? AND seq = ?")) {
                for (long seq : seqs) {
                    delete.setLong(1, recipient);
                    delete.setLong(2, seq);
                    delete.addBatch();
                }
                delete.executeBatch();
                c.commit();
            }
            if (p == Pattern.BURST) {
                turns[thread]++;
            }
        };
    }

    /**
     * The limit's database: {@code osms.bench.limitJdbcUrl} (with {@code osms.bench.limitJdbcUser} and
     * {@code ...Password}). An H2 URL is opened through the server's own data source class,
     * {@link DurableDataSource} (WRITE_DELAY 0 from the open, one writing transaction at a time), on a file of its
     * own, since the server holds its embedded database open; any other URL (PostgreSQL: the server's database
     * server) through its driver. The table has the mailbox message's columns, primary key and index (not its
     * foreign keys).
     */
    static final class LimitDatabase implements AutoCloseable {
        final Connection[] connections;

        private LimitDatabase(Connection[] connections) {
            this.connections = connections;
        }

        static String url() {
            return System.getProperty("osms.bench.limitJdbcUrl", "jdbc:h2:file:./target/bench-data/relay-limit/db;"
                    + "LOCK_TIMEOUT=30000");
        }

        static String describe() {
            return url().startsWith("jdbc:h2:") ? "embedded H2 with the server's data source settings"
                    : "the same PostgreSQL server";
        }

        static LimitDatabase open(int threads) throws SQLException {
            String user = System.getProperty("osms.bench.limitJdbcUser", "relay_limit");
            String password = System.getProperty("osms.bench.limitJdbcPassword", "relay-limit");
            DurableDataSource h2 = null;
            if (url().startsWith("jdbc:h2:")) {
                h2 = new DurableDataSource();
                h2.setURL(url());
                h2.setUser(user);
                h2.setPassword(password);
            }
            Connection[] cs = new Connection[threads];
            for (int i = 0; i < threads; i++) {
                cs[i] = h2 != null ? h2.getConnection() : DriverManager.getConnection(url(), user, password);
                cs[i].setAutoCommit(false);
            }
            try (Statement s = cs[0].createStatement()) {
                s.execute("DROP TABLE IF EXISTS relay_limit_message");
                s.execute("CREATE TABLE relay_limit_message (recipient_id BIGINT NOT NULL, seq BIGINT NOT NULL,"
                        + " sender_id BIGINT NOT NULL, sender_username VARCHAR(32) NOT NULL,"
                        + " sender_fingerprint CHAR(40) NOT NULL, received_at BIGINT NOT NULL,"
                        + " body VARCHAR(65536) NOT NULL, body_length INTEGER NOT NULL,"
                        + " CONSTRAINT relay_limit_message_pk PRIMARY KEY (recipient_id, seq),"
                        + " CONSTRAINT relay_limit_message_seq_positive CHECK (seq > 0),"
                        + " CONSTRAINT relay_limit_message_body_length CHECK (body_length = LENGTH(body)))");
                s.execute("CREATE INDEX relay_limit_message_received_idx ON relay_limit_message (received_at)");
                cs[0].commit();
            }
            return new LimitDatabase(cs);
        }

        @Override
        public void close() throws SQLException {
            try (Statement s = connections[0].createStatement()) {
                s.execute("DROP TABLE relay_limit_message");
                connections[0].commit();
            }
            for (Connection c : connections) {
                c.close();
            }
        }
    }
}
