package org.osms.client;

import static org.osms.protocol.JsonDocuments.JSON;

import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.Reader;
import java.nio.charset.Charset;
import java.net.URI;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.SessionProofs;
import org.osms.protocol.Username;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The {@code osms} command line. Every failure is one line on standard error and a non-zero exit code. */
@Command(name = "osms", mixinStandardHelpOptions = true, version = "osms 0.1",
        description = "Client of an OSMS server: your key, your identity, the public directory.",
        subcommands = {Cli.Keygen.class, Cli.Register.class, Cli.Whoami.class, Cli.Rename.class, Cli.RotateKey.class,
            Cli.Publish.class, Cli.Unpublish.class, Cli.Revoke.class, Cli.DeleteAccount.class, Cli.Lookup.class,
            Cli.History.class, Cli.Audit.class, Cli.Send.class, Cli.Inbox.class, Cli.ChatWith.class, Cli.Queued.class,
            Cli.Trust.class, Cli.Block.class, Cli.Unblock.class, Cli.Blocked.class, Cli.Quota.class, Cli.Export.class})
public final class Cli {
    @Option(names = "--server", description = "server URL (default: $OSMS_SERVER or http://127.0.0.1:9080)")
    String server = System.getenv().getOrDefault("OSMS_SERVER", "http://127.0.0.1:9080");

    @Option(names = "--proxy", description = "SOCKS5 proxy that resolves host names, socks5h://HOST:PORT: Tor's "
            + "SOCKS port (system tor 127.0.0.1:9050, Tor Browser 127.0.0.1:9150); needed for an onion address "
            + "(default: $OSMS_PROXY or none)")
    String proxy = System.getenv("OSMS_PROXY");

    @Option(names = "--home", description = "key directory (default: $OSMS_HOME or ~/.osms)")
    Path home = Path.of(System.getenv().getOrDefault("OSMS_HOME", System.getProperty("user.home") + "/.osms"));

    private PrintWriter out;
    private Reader in;

    public static void main(String[] args) {
        System.exit(run(args, new InputStreamReader(System.in, Charset.defaultCharset()),
                new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        return run(args, new InputStreamReader(System.in, Charset.defaultCharset()), out, err);
    }

    /** Runs one command line reading {@code in} (what {@code chat} sends); returns the exit code. */
    public static int run(String[] args, Reader in, PrintWriter out, PrintWriter err) {
        Cli cli = new Cli();
        cli.out = out;
        cli.in = in;
        CommandLine cmd = new CommandLine(cli);
        cmd.setOut(out).setErr(err);
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            String message = e instanceof OsmsException o && !o.code().isEmpty()
                    ? o.getMessage() + " (" + o.code() + ")" : e.getMessage();
            // a server's error message is the server's text: nothing in it may act on the terminal
            err.println("osms: " + TerminalText.line(message == null ? e.toString() : message.replace('\n', ' ')));
            return 1;
        });
        cmd.setExecutionStrategy(parsed -> {
            if (!parsed.hasSubcommand() || parsed.asCommandLineList().stream()
                    .anyMatch(c -> c.isUsageHelpRequested() || c.isVersionHelpRequested())) {
                return new CommandLine.RunLast().execute(parsed); // help, version: no home directory needed
            }
            Optional<HomeLock> lock;
            try {
                lock = HomeLock.tryTake(cli.home);
            } catch (java.io.IOException e) {
                err.println("osms: cannot lock " + cli.home.resolve(HomeLock.FILE) + ": " + e.getMessage());
                return 1;
            }
            if (lock.isEmpty()) {
                err.println("osms: another osms is using " + cli.home + " (a chat, say); run one at a time "
                        + "(home_in_use)");
                return 1;
            }
            try (HomeLock held = lock.get()) {
                return new CommandLine.RunLast().execute(parsed);
            }
        });
        return cmd.execute(args);
    }

    KeyStoreFiles files() {
        return new KeyStoreFiles(home);
    }

    OsmsClient client() {
        return new OsmsClient(URI.create(server),
                Optional.ofNullable(proxy).filter(p -> !p.isBlank()).map(SocksProxy::parse));
    }

    /**
     * The server key, pinned on first use. A changed key stops everything, unless the server's key history proves a
     * signed handover from the pinned key to it (ServerKeyCheck): then the new key is pinned instead.
     */
    OtrPublicKey trustedServerKey(OsmsClient client) {
        OtrPublicKey key = client.serverKey();
        Optional<String> pinned = files().pinnedServer(server);
        ServerKeyCheck.Result checked = ServerKeyCheck.check(pinned, key, client::serverKeyHistory);
        switch (checked.outcome()) {
            case FIRST_USE -> {
                files().pinServer(server, key.fingerprint().hex());
                out.println("warning: first contact with " + server + "; pinned its key " + key.fingerprint().human());
            }
            case ROTATED -> {
                files().repinServer(server, key.fingerprint().hex());
                out.println("notice: " + TerminalText.line(checked.message()));
            }
            case UNCHANGED -> {
                // the pinned key
            }
            case CHANGED -> throw new OsmsException(0, "server_key_changed", "The server key changed: pinned "
                    + pinned.get() + ", now " + key.fingerprint().hex() + " (" + checked.message()
                    + "). Refusing. If the operator confirms the change, remove its line from "
                    + home.resolve("known_servers"));
        }
        return key;
    }

    /** Logs in with the stored key, runs one command, logs out. */
    JsonObject inSession(JsonObject command) {
        return inSession(session -> session.command(command));
    }

    /** Logs in with the stored key, runs {@code work} in the conversation, logs out. */
    <T> T inSession(java.util.function.Function<OsmsClient.Session, T> work) {
        KeyStoreFiles.Identity me = files().load();
        String username = me.username().orElseThrow(() ->
                new OsmsException(0, "not_registered", "This key is not registered yet (run `osms register NAME`)."));
        OsmsClient client = client();
        OsmsClient.Session session = client.login(Username.of(username), me.key(), trustedServerKey(client));
        T result;
        try {
            result = work.apply(session);
        } catch (RuntimeException failed) {
            logOutAfter(session, failed);
            throw failed;
        }
        session.logout();
        return result;
    }

    /**
     * Ends the conversation after {@code failed}, without letting the logout's own failure (the server may have
     * ended the conversation already, or be unreachable) replace the error the user needs to see.
     */
    private static void logOutAfter(OsmsClient.Session session, RuntimeException failed) {
        if (failed instanceof OsmsException o && o.code().equals("unknown_session")) {
            return; // the server has no such conversation: nothing to end
        }
        try {
            session.logout();
        } catch (RuntimeException logout) {
            failed.addSuppressed(logout);
        }
    }

    /**
     * The end-to-end messenger of this client in {@code session}: peers' keys pinned per server in
     * {@code known_peers}, texts waiting in {@code outbox} (both in the home directory, 0600), and a changed key
     * checked against a log that must still hold the entry verified last (by {@code osms audit} or by such a check,
     * which keeps the head it verified in the same place).
     */
    Messenger messenger(OsmsClient.Session session) {
        OsmsClient client = client();
        PeerKeyCheck keyCheck = new PeerKeyCheck(new PeerPins(home, server), client, auditCheckpoint(),
                head -> files().saveAuditCheckpoint(server, head.seq(),
                        java.util.HexFormat.of().formatHex(head.hash())));
        return new Messenger(client, session, files().load().key(), keyCheck, Outbox.in(home, server));
    }

    /**
     * Runs {@code work} with this client's messenger in {@code session}; then, before the caller logs out,
     * acknowledges what a refused {@code ack} left, and says so if the server still refuses.
     */
    <T> T withMessenger(OsmsClient.Session session, java.util.function.Function<Messenger, T> work) {
        Messenger m = messenger(session);
        try {
            return work.apply(m);
        } finally {
            show(m.finish());
        }
    }

    /** The audit head {@code osms audit} verified last for this server, read strictly: a damaged line is an error. */
    Optional<PublicLog.Checkpoint> auditCheckpoint() {
        try {
            return files().auditCheckpoint(server).map(c -> new PublicLog.Checkpoint(Long.parseLong(c[0]),
                    java.util.HexFormat.of().parseHex(c[1])));
        } catch (IllegalArgumentException damaged) {
            throw new OsmsException(0, "bad_checkpoint", "The audit checkpoint of " + server + " in "
                    + home.resolve("audit_checkpoints") + " is damaged; remove its line and run `osms audit`.");
        }
    }

    /**
     * Standard input, whole, without one final line break; refused if longer than {@code max} characters or empty (a
     * text cut short, or no text at all, is not sent).
     */
    String standardInput(int max) {
        StringBuilder text = new StringBuilder();
        char[] buffer = new char[4096];
        try {
            // no more read than the longest text and its line break, and one character to tell it is longer
            for (int n; text.length() <= max + 2 && (n = in.read(buffer)) != -1; ) {
                text.append(buffer, 0, n);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        String t = text.toString();
        t = t.endsWith("\r\n") ? t.substring(0, t.length() - 2) : t.endsWith("\n") ? t.substring(0, t.length() - 1) : t;
        if (t.length() > max) {
            throw new OsmsException(0, "text_too_long", "The text on standard input is longer than " + max
                    + " characters.");
        }
        if (t.isEmpty()) {
            throw new OsmsException(0, "no_text", "No text on standard input.");
        }
        return t;
    }

    /** Prints what one poll brought: texts, key notices, and problems (refused conversations, unreadable messages). */
    void show(java.util.List<Messenger.Event> events) {
        for (Messenger.Event e : events) {
            out.println(e.line());
        }
    }

    /**
     * A refusal of the conversation with {@code peer}, or the server's refusal of something sent to it, if
     * {@code events} hold one: waiting longer cannot help. Its code is the key check's outcome ({@code rotated} never
     * is one), {@code refused} for the directory's checks, or the server's code ({@code no_such_recipient},
     * {@code rate_limited}, {@code body_too_large}, …).
     */
    static Optional<OsmsException> conversationRefused(java.util.List<Messenger.Event> events, String peer) {
        return events.stream().filter(e -> e.refused() && e.from().equals(peer) && (e.keyCheck() != null
                        || e.refusalCode() != null || e.problem().startsWith("refused the conversation")))
                .map(e -> new OsmsException(0, e.keyCheck() != null ? e.keyCheck().outcome().code()
                        : e.refusalCode() != null ? e.refusalCode() : "refused",
                        e.problem() + ". The text was NOT sent; it waits in your outbox (`osms queued`)."))
                .findFirst();
    }

    /** Tells how many texts still wait in the outbox, per peer. */
    void showWaiting() {
        java.util.Map<String, Long> waiting = new java.util.TreeMap<>();
        Outbox.in(home, server).all().forEach(e -> waiting.merge(e.to(), 1L, Long::sum));
        waiting.forEach((to, n) -> out.println("(" + n + " text" + (n == 1 ? "" : "s") + " to " + to
                + " still waiting: `osms queued`)"));
    }

    /**
     * After {@code failed}: when it is {@code unknown_outcome} (docs/protocol.md, "Commands"), the command that would
     * have given this key the name {@code name} may have been done, and a login under that name tells: its identity
     * if it was, with a notice; otherwise an error saying it was not, so that the user runs it again. Any other
     * failure is thrown as it is.
     */
    JsonObject doneAfter(OsmsException failed, String command, OsmsClient client, Username name, KeyPair key,
                         OtrPublicKey serverKey) {
        if (!failed.code().equals("unknown_outcome")) {
            throw failed;
        }
        OsmsClient.Session session;
        try {
            session = client.login(name, key, serverKey);
        } catch (OsmsException notDone) {
            if (!notDone.code().equals("unknown_user") && !notDone.code().equals("key_mismatch")) {
                failed.addSuppressed(notDone);
                throw failed; // still unknown: the check itself failed
            }
            throw new OsmsException(failed.status(), "not_done", "The server failed while committing the " + command
                    + ", which was not done (no identity of this key is called " + name.value() + "): run `osms "
                    + command + " " + name.value() + "` again.");
        }
        JsonObject me;
        try {
            me = session.command(command("whoami"));
        } catch (RuntimeException whoamiFailed) {
            logOutAfter(session, whoamiFailed);
            throw whoamiFailed;
        }
        session.logout();
        out.println("notice: the server failed while committing the " + command + ", which was done");
        return me;
    }

    void remember(JsonObject reply) {
        KeyStoreFiles.Identity me = files().load();
        files().save(new KeyStoreFiles.Identity(me.key(), Optional.of(reply.getString("username"))));
    }

    void print(JsonObject reply) {
        out.println(TerminalText.line(reply.getString("username") + "  " + reply.getString("status")
                + (reply.containsKey("fingerprint") ? "  " + reply.getString("fingerprint") : "")));
    }

    static JsonObject command(String name) {
        return JSON.createObjectBuilder().add("command", name).build();
    }

    abstract static class Sub implements Callable<Integer> {
        @CommandLine.ParentCommand
        Cli cli;
    }

    @Command(name = "keygen", description = "Create your OTR long-term key (refuses to overwrite one).")
    static class Keygen extends Sub {
        @Override
        public Integer call() {
            if (cli.files().hasIdentity()) {
                throw new OsmsException(0, "exists", "A key already exists at " + cli.files().identityFile());
            }
            KeyPair pair = KeyStoreFiles.generate();
            cli.files().save(new KeyStoreFiles.Identity(pair, Optional.empty()));
            cli.out.println("key " + OtrPublicKey.of(pair.getPublic()).fingerprint().human() + " written to "
                    + cli.files().identityFile());
            return 0;
        }
    }

    @Command(name = "register", description = "Register USERNAME for your key (with a proof of work).")
    static class Register extends Sub {
        @Parameters(paramLabel = "USERNAME")
        String username;

        @Override
        public Integer call() {
            KeyStoreFiles.Identity me = cli.files().load();
            OsmsClient client = cli.client();
            OtrPublicKey serverKey = cli.trustedServerKey(client);
            JsonObject reply;
            try {
                OsmsClient.Session session = client.register(Username.of(username), me.key(), serverKey);
                reply = session.command(command("whoami"));
                session.logout();
            } catch (OsmsException e) {
                reply = cli.doneAfter(e, "register", client, Username.of(username), me.key(), serverKey);
            }
            cli.remember(reply);
            cli.print(reply);
            return 0;
        }
    }

    @Command(name = "whoami", aliases = "login", description = "Log in and show your identity.")
    static class Whoami extends Sub {
        @Override
        public Integer call() {
            cli.print(cli.inSession(command("whoami")));
            return 0;
        }
    }

    @Command(name = "rename", description = "Change your username (your old names stay reserved to you).")
    static class Rename extends Sub {
        @Parameters(paramLabel = "NEWNAME")
        String username;

        @Override
        public Integer call() {
            Username wanted = Username.of(username);
            JsonObject reply;
            try {
                reply = cli.inSession(JSON.createObjectBuilder().add("command", "rename")
                        .add("username", wanted.value()).build());
            } catch (OsmsException e) {
                OsmsClient client = cli.client();
                reply = cli.doneAfter(e, "rename", client, wanted, cli.files().load().key(),
                        cli.trustedServerKey(client));
            }
            cli.remember(reply);
            cli.print(reply);
            return 0;
        }
    }

    /**
     * Replaces the key with a new one, kept in {@code identity.key.new} until the server's {@code ok} is in hand and
     * promoted at once then; the logout after it is best-effort. That file may be the only copy of the key the server
     * holds (an answer lost after the server committed), so it is never overwritten unseen: a rotation that finds one
     * first logs in with it, and promotes it if the server takes it; only a {@code key_mismatch} lets it go.
     */
    @Command(name = "rotate-key", description = "Replace your key with a new one; the old key stops working.")
    static class RotateKey extends Sub {
        @Override
        public Integer call() {
            KeyStoreFiles files = cli.files();
            KeyStoreFiles.Identity me = files.load();
            Username username = Username.of(me.username().orElseThrow(() ->
                    new OsmsException(0, "not_registered", "This key is not registered yet.")));
            OsmsClient client = cli.client();
            OtrPublicKey serverKey = cli.trustedServerKey(client);
            if (earlierRotationCompleted(files, client, username, serverKey)) {
                return 0;
            }
            KeyPair next = KeyStoreFiles.generate();
            files.savePending(new KeyStoreFiles.Identity(next, me.username()));
            OsmsClient.Session session = client.login(username, me.key(), serverKey);
            OtrPublicKey nextPublic = OtrPublicKey.of(next.getPublic());
            byte[] proof = SessionProofs.signKeyReplacement(session.challenge(), nextPublic, next.getPrivate());
            JsonObject reply;
            try {
                reply = session.command(JSON.createObjectBuilder().add("command", "replace-key")
                        .add("publicKey", java.util.Base64.getEncoder().encodeToString(nextPublic.serialized()))
                        .add("signature", java.util.Base64.getEncoder().encodeToString(proof)).build());
            } catch (RuntimeException failed) {
                logOutAfter(session, failed);
                throw new OsmsException(0, failed instanceof OsmsException o ? o.code() : "error",
                        failed.getMessage() + ". The new key stays in " + files.pendingFile() + ": the server may "
                                + "have taken it all the same; run `osms rotate-key` again to find out (it tries "
                                + "that key first). Do not delete that file.");
            }
            files.promotePending();
            logOutAfterRotation(session);
            cli.print(reply);
            return 0;
        }

        /**
         * A pending key an earlier rotation left: promoted (true) if the server logs it in, since that rotation
         * completed; let go (false) if the server refuses it with {@code key_mismatch}, since the current key is still
         * the server's. Any other answer stops everything, with no file touched.
         */
        private boolean earlierRotationCompleted(KeyStoreFiles files, OsmsClient client, Username username,
                OtrPublicKey serverKey) {
            java.nio.file.Path pendingFile = files.pendingFile();
            Optional<KeyStoreFiles.Identity> pending;
            try {
                pending = files.pending();
            } catch (OsmsException unreadable) {
                throw new OsmsException(0, "pending_key", "An earlier rotate-key left " + pendingFile
                        + ", which cannot be read. Nothing was changed. It may hold the key the server has now: "
                        + "restore it from a backup, or if you know that rotation failed, remove it.");
            }
            if (pending.isEmpty()) {
                return false;
            }
            OsmsClient.Session session;
            try {
                session = client.login(username, pending.get().key(), serverKey);
            } catch (OsmsException refused) {
                if (refused.code().equals("key_mismatch")) {
                    cli.out.println("notice: the server does not hold the key an earlier rotate-key left in "
                            + pendingFile + " (that rotation did not complete); your key is still "
                            + files.identityFile() + ". Replacing the pending key.");
                    return false;
                }
                throw new OsmsException(0, refused.code(), "An earlier rotate-key left " + pendingFile
                        + ", and logging in with it failed: " + refused.getMessage() + ". Nothing was changed. "
                        + "Run `osms rotate-key` again once the server answers; do not delete that file, it may "
                        + "hold the key the server has now.");
            }
            files.promotePending();
            cli.out.println("notice: an earlier rotate-key had completed: the server holds the key from "
                    + pendingFile + ", now " + files.identityFile() + " (the old key is kept as identity.key.old). "
                    + "Run `osms rotate-key` again for another new key.");
            logOutAfterRotation(session);
            return true;
        }

        /** The new key is in place whatever happens here: a failed logout is a warning, not an error. */
        private void logOutAfterRotation(OsmsClient.Session session) {
            try {
                session.logout();
            } catch (RuntimeException e) {
                // the message may be the server's text: nothing in it may act on the terminal
                cli.out.println("warning: the new key is installed, but logging out failed ("
                        + TerminalText.line(String.valueOf(e.getMessage()))
                        + "); the server ends the conversation once it is idle.");
            }
        }
    }

    @Command(name = "publish", description = "Show your key in the public directory.")
    static class Publish extends Sub {
        @Override
        public Integer call() {
            cli.print(cli.inSession(command("publish-key")));
            return 0;
        }
    }

    @Command(name = "unpublish", description = "Hide your key from the directory lookup (it still logs you in; your public history still shows it).")
    static class Unpublish extends Sub {
        @Override
        public Integer call() {
            cli.print(cli.inSession(command("unpublish-key")));
            return 0;
        }
    }

    @Command(name = "revoke", description = "Revoke your key for good: no more logins. Needs --yes.")
    static class Revoke extends Sub {
        @Option(names = "--yes", required = true, description = "confirm: this cannot be undone")
        boolean yes;

        @Override
        public Integer call() {
            cli.print(cli.inSession(command("revoke-key")));
            return 0;
        }
    }

    @Command(name = "delete-account", description = "Delete your account for good. Needs --yes.")
    static class DeleteAccount extends Sub {
        @Option(names = "--yes", required = true, description = "confirm: this cannot be undone")
        boolean yes;

        @Override
        public Integer call() {
            cli.print(cli.inSession(command("delete-account")));
            return 0;
        }
    }

    @Command(name = "lookup", description = "Show a user's public key (no login).")
    static class Lookup extends Sub {
        @Parameters(paramLabel = "USERNAME")
        String username;

        @Override
        public Integer call() {
            cli.print(cli.client().user(Username.of(username).value()));
            return 0;
        }
    }

    @Command(name = "history", description = "Show a user's public history (no login).")
    static class History extends Sub {
        @Parameters(paramLabel = "USERNAME")
        String username;

        @Override
        public Integer call() {
            JsonObject h = cli.client().history(Username.of(username).value(), 0);
            for (JsonValue v : h.getJsonArray("entries")) {
                JsonObject e = v.asJsonObject();
                cli.out.println(TerminalText.line(e.getJsonNumber("seq") + "  " + e.getString("event") + "  "
                        + e.getString("usernameBefore", "-") + " -> " + e.getString("usernameAfter", "-") + "  "
                        + e.getString("fingerprintAfter", "-")));
            }
            return 0;
        }
    }

    @Command(name = "audit", description = "Download the whole audit log, recompute its hash chain, and check that "
            + "what you verified before was not rewritten (no login).")
    static class Audit extends Sub {
        @Override
        public Integer call() {
            // verified page by page, keeping only the chain's head: a log of any length takes no more memory
            Optional<PublicLog.Checkpoint> before = cli.auditCheckpoint();
            org.osms.protocol.AuditChain chain;
            try {
                chain = PublicLog.verify(cli.client(), e -> { }, before);
            } catch (org.osms.protocol.AuditChain.BrokenChainException e) {
                throw new OsmsException(0, "audit_broken", "The audit log does not verify: " + e.getMessage());
            }
            long head = chain.lastSeq();
            String headHash = head == 0 ? "" : java.util.HexFormat.of().formatHex(chain.lastHash());
            if (head > 0) {
                cli.files().saveAuditCheckpoint(cli.server, head, headHash);
            }
            cli.out.println("audit log verified: " + head + " entries" + (head > 0 ? ", head " + headHash : ""));
            return 0;
        }
    }

    @Command(name = "send", description = "Send TEXT to USER, end-to-end encrypted with OTR (without TEXT, or with "
            + "-, the text is read from standard input: a text on the command line is seen by other users of the "
            + "machine in its process list, and lands in your shell's history). Texts wait in your "
            + "outbox (in --home, 0600) until the end-to-end conversation is set up through the mailboxes; this waits "
            + "up to --wait seconds for it (USER must be online meanwhile: `osms inbox --wait` or `osms chat`). What is "
            + "not sent by then stays in the outbox and leaves with a later send, inbox or chat.")
    static class Send extends Sub {
        /**
         * The longest text read from standard input: a bound on what is read, about what one message carries. The
         * server's own limit is on the encrypted message's bytes (maxBodyBytes): a longer one is refused there.
         */
        static final int MAX_STDIN_CHARS = 12_000;

        @Parameters(index = "0", paramLabel = "USER")
        String user;

        @Parameters(index = "1", paramLabel = "TEXT", arity = "0..1")
        String text;

        @Option(names = "--wait", defaultValue = "60", description = "seconds to wait for USER (default 60)")
        int waitSeconds;

        @Override
        public Integer call() {
            String to = Username.of(user).value();
            String body = text == null || text.equals("-") ? cli.standardInput(MAX_STDIN_CHARS) : text;
            return cli.inSession(session -> cli.withMessenger(session, m -> {
                if (m.send(to, body)) {
                    cli.out.println("sent");
                    return 0;
                }
                cli.out.println("setting up an end-to-end OTR conversation with " + to + " ...");
                long deadline = System.currentTimeMillis() + waitSeconds * 1000L;
                while (!m.queued(to).isEmpty() && System.currentTimeMillis() < deadline) {
                    long left = Math.max(1, (deadline - System.currentTimeMillis()) / 1000);
                    java.util.List<Messenger.Event> events = m.poll((int) Math.min(left, 25));
                    cli.show(events);
                    Optional<OsmsException> refused = conversationRefused(events, to);
                    if (refused.isPresent()) {
                        throw refused.get();
                    }
                    if (m.awaitsConfirmation(to)) {
                        throw new OsmsException(0, "unconfirmed_key", "The key of " + to + " changed (see the "
                                + "notice above); the text was NOT sent. It waits in your outbox until you confirm the "
                                + "new key with `osms trust " + to + " FINGERPRINT`, then leaves with a later "
                                + "`osms send`, `osms inbox` or `osms chat`.");
                    }
                }
                int waiting = m.queued(to).size();
                if (waiting > 0) {
                    throw new OsmsException(0, "queued", "The end-to-end conversation with " + to
                            + " did not complete within " + waitSeconds + " s; the text was NOT sent yet. "
                            + waiting + " text(s) wait in your outbox and leave with a later `osms send`, "
                            + "`osms inbox` or `osms chat` while " + to + " is online.");
                }
                cli.out.println("sent, end-to-end encrypted to key "
                        + m.verifiedKey(to).orElseThrow().fingerprint().human());
                return 0;
            }));
        }
    }

    @Command(name = "inbox", description = "Fetch your messages, decrypt them, print them and delete them from the "
            + "server; answers end-to-end handshakes, and sends the texts waiting in your outbox to whoever is "
            + "reachable. With --wait, keeps listening that many seconds.")
    static class Inbox extends Sub {
        @Option(names = "--wait", defaultValue = "0", description = "seconds to keep listening (default 0)")
        int waitSeconds;

        @Override
        public Integer call() {
            return cli.inSession(session -> cli.withMessenger(session, m -> {
                m.startWaiting();
                long deadline = System.currentTimeMillis() + waitSeconds * 1000L;
                do {
                    long left = Math.max(0, (deadline - System.currentTimeMillis()) / 1000);
                    cli.show(m.poll((int) Math.min(left, 25)));
                } while (System.currentTimeMillis() < deadline);
                cli.showWaiting();
                return 0;
            }));
        }
    }

    @Command(name = "chat", description = "Talk with USER: each line you type is sent end-to-end encrypted (it waits "
            + "in the outbox until the conversation is set up); messages from everyone are printed as they arrive. "
            + "A line /quit ends it at once; the end of input ends it once your texts left (or after --linger).")
    static class ChatWith extends Sub {
        @Parameters(paramLabel = "USER")
        String user;

        @Option(names = "--poll", defaultValue = "2", description = "seconds of each wait for mail; a typed line "
                + "leaves within that time (1 to 25, default 2)")
        int pollSeconds;

        @Option(names = "--linger", defaultValue = "60", description = "at the end of input, seconds to go on "
                + "while texts to USER still wait (default 60)")
        int lingerSeconds;

        @Override
        public Integer call() {
            if (pollSeconds < 1 || pollSeconds > 25 || lingerSeconds < 0) {
                throw new OsmsException(0, "bad_option", "--poll is 1 to 25 seconds, --linger not negative.");
            }
            String to = Username.of(user).value();
            return cli.inSession(session -> {
                Messenger m = cli.messenger(session);
                try {
                    new org.osms.client.Chat(m, to, cli.in, cli.out, pollSeconds,
                            java.time.Duration.ofSeconds(lingerSeconds)).run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new OsmsException(0, "interrupted", "Interrupted.");
                } finally {
                    cli.show(m.finish());
                }
                return 0;
            });
        }
    }

    @Command(name = "queued", description = "List the texts in your outbox: written, not sent yet (no login). "
            + "With --drop USER, deletes the texts waiting for USER instead.")
    static class Queued extends Sub {
        @Option(names = "--drop", paramLabel = "USER", description = "delete the texts waiting for USER")
        String drop;

        @Override
        public Integer call() {
            Outbox outbox = Outbox.in(cli.home, cli.server);
            if (drop != null) {
                String to = Username.of(drop).value();
                java.util.List<Outbox.Entry> dropped = outbox.waiting(to);
                dropped.forEach(outbox::remove);
                cli.out.println("dropped " + dropped.size() + " text" + (dropped.size() == 1 ? "" : "s") + " to "
                        + to);
                return 0;
            }
            java.util.List<Outbox.Entry> all = outbox.all();
            for (Outbox.Entry e : all) {
                cli.out.println(e.to() + "  " + java.time.Instant.ofEpochMilli(e.queuedAt()) + "  "
                        + TerminalText.line(e.text()));
            }
            if (all.isEmpty()) {
                cli.out.println("nothing waits to be sent");
            }
            return 0;
        }
    }

    @Command(name = "trust", description = "Confirm USER's new key after a change of key, once you have checked its "
            + "FINGERPRINT with USER (the notice of the change shows it): until then texts to USER wait in your "
            + "outbox (no login).")
    static class Trust extends Sub {
        @Parameters(index = "0", paramLabel = "USER")
        String user;

        @Parameters(index = "1", paramLabel = "FINGERPRINT", description = "40 hex digits, spaces allowed")
        String fingerprint;

        @Override
        public Integer call() {
            String peer = Username.of(user).value();
            org.osms.protocol.Fingerprint key;
            try {
                key = org.osms.protocol.Fingerprint.of(fingerprint.replace(" ", ""));
            } catch (org.osms.protocol.ProtocolException e) {
                throw new OsmsException(0, "bad_fingerprint", "A fingerprint is 40 hexadecimal digits.");
            }
            boolean confirmed = new PeerPins(cli.home, cli.server).confirm(peer, key.hex());
            int waiting = Outbox.in(cli.home, cli.server).waiting(peer).size();
            String leave = waiting == 1 ? "1 waiting text leaves" : waiting + " waiting texts leave";
            cli.out.println((confirmed ? "confirmed" : "already confirmed:") + " the key " + key.human() + " of "
                    + peer + (waiting == 0 ? "" : "; " + leave + " with the next `osms send`, `osms inbox` or "
                    + "`osms chat`"));
            return 0;
        }
    }

    /** {@code block} and {@code unblock}: one command on one user, whose name the reply confirms. */
    abstract static class OnUser extends Sub {
        @Parameters(paramLabel = "USER")
        String user;

        abstract JsonObject run(OsmsClient.Session session, String username);

        abstract String done();

        /** What the answer adds to the confirmation, if anything. */
        String more(JsonObject answer) {
            return "";
        }

        @Override
        public Integer call() {
            JsonObject answer = cli.inSession(s -> run(s, Username.of(user).value()));
            cli.out.println(done() + " " + TerminalText.line(answer.getString("username")) + more(answer));
            return 0;
        }
    }

    @Command(name = "block", description = "Refuse messages from USER (they are not told), and discard their"
            + " messages that are waiting for you.")
    static class Block extends OnUser {
        @Override
        JsonObject run(OsmsClient.Session session, String username) {
            return session.block(username);
        }

        @Override
        String done() {
            return "blocked";
        }

        @Override
        String more(JsonObject answer) {
            int discarded = answer.getInt("discarded", 0);
            return discarded == 0 ? "" : discarded == 1 ? "; 1 waiting message from them discarded"
                    : "; " + discarded + " waiting messages from them discarded";
        }
    }

    @Command(name = "unblock", description = "Accept messages from USER again.")
    static class Unblock extends OnUser {
        @Override
        JsonObject run(OsmsClient.Session session, String username) {
            return session.unblock(username);
        }

        @Override
        String done() {
            return "unblocked";
        }
    }

    @Command(name = "blocked", description = "List the users you blocked.")
    static class Blocked extends Sub {
        @Override
        public Integer call() {
            for (JsonValue v : cli.inSession(OsmsClient.Session::blocked).getJsonArray("blocked")) {
                JsonObject b = v.asJsonObject();
                cli.out.println(TerminalText.line(b.getString("username", "?")) + "  since "
                        + java.time.Instant.ofEpochMilli(b.getJsonNumber("blockedAt").longValue()));
            }
            return 0;
        }
    }

    @Command(name = "quota", description = "Your mailbox: what is used and what is allowed.")
    static class Quota extends Sub {
        @Override
        public Integer call() {
            JsonObject q = cli.inSession(OsmsClient.Session::quota);
            JsonObject used = q.getJsonObject("usage");
            JsonObject limits = q.getJsonObject("limits");
            cli.out.println("messages waiting: " + used.getInt("messages") + " of " + limits.getInt("maxMessages"));
            cli.out.println("bytes waiting:    " + used.getJsonNumber("bytes") + " of " + limits.getJsonNumber("maxBytes"));
            cli.out.println("sends this minute: " + used.getInt("sendsLastMinute") + " of "
                    + limits.getInt("sendsPerMinute"));
            cli.out.println("longest message: " + limits.getInt("maxBodyBytes") + " bytes; unread messages expire after "
                    + limits.getJsonNumber("retentionSeconds").longValue() / 86_400 + " days");
            return 0;
        }
    }

    @Command(name = "export", description = "Download everything the server holds about you, as JSON, to FILE "
            + "(0600) or standard output.")
    static class Export extends Sub {
        @Parameters(paramLabel = "FILE", arity = "0..1")
        Path file;

        @Override
        public Integer call() throws java.io.IOException {
            String json = cli.inSession(OsmsClient.Session::export).toString();
            if (file == null) {
                cli.out.println(TerminalText.json(json)); // the server's text, on what may be a terminal
                return 0;
            }
            java.nio.file.Files.deleteIfExists(file);
            java.nio.file.Files.createFile(file, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
            java.nio.file.Files.writeString(file, json + "\n");
            cli.out.println("export written to " + file);
            return 0;
        }
    }
}
