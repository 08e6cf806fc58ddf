package org.osms.client;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.PrintWriter;
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
            Cli.History.class, Cli.Audit.class})
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

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs one command line; returns the exit code. */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        Cli cli = new Cli();
        cli.out = out;
        CommandLine cmd = new CommandLine(cli);
        cmd.setOut(out).setErr(err);
        cmd.setExecutionExceptionHandler((e, line, parsed) -> {
            String message = e instanceof OsmsException o && !o.code().isEmpty()
                    ? o.getMessage() + " (" + o.code() + ")" : e.getMessage();
            err.println("osms: " + (message == null ? e.toString() : message.replace('\n', ' ')));
            return 1;
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

    /** The server key, pinned on first use; a changed key stops everything. */
    OtrPublicKey trustedServerKey(OsmsClient client) {
        OtrPublicKey key = client.serverKey();
        Optional<String> pinned = files().pinnedServer(server);
        if (pinned.isEmpty()) {
            files().pinServer(server, key.fingerprint().hex());
            out.println("warning: first contact with " + server + "; pinned its key " + key.fingerprint().human());
        } else if (!pinned.get().equals(key.fingerprint().hex())) {
            throw new OsmsException(0, "server_key_changed", "The server key changed: pinned "
                    + pinned.get() + ", now " + key.fingerprint().hex()
                    + ". Refusing. If the operator confirms the change, remove its line from "
                    + home.resolve("known_servers"));
        }
        return key;
    }

    /** Logs in with the stored key, runs one command, logs out. */
    JsonObject inSession(JsonObject command) {
        KeyStoreFiles.Identity me = files().load();
        String username = me.username().orElseThrow(() ->
                new OsmsException(0, "not_registered", "This key is not registered yet (run `osms register NAME`)."));
        OsmsClient client = client();
        OsmsClient.Session session = client.login(Username.of(username), me.key(), trustedServerKey(client));
        try {
            return session.command(command);
        } finally {
            if (!session.ended()) {
                session.logout();
            }
        }
    }

    void remember(JsonObject reply) {
        KeyStoreFiles.Identity me = files().load();
        files().save(new KeyStoreFiles.Identity(me.key(), Optional.of(reply.getString("username"))));
    }

    void print(JsonObject reply) {
        out.println(reply.getString("username") + "  " + reply.getString("status")
                + (reply.containsKey("fingerprint") ? "  " + reply.getString("fingerprint") : ""));
    }

    static JsonObject command(String name) {
        return Json.createObjectBuilder().add("command", name).build();
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
            OsmsClient.Session session = client.register(Username.of(username), me.key(),
                    cli.trustedServerKey(client));
            JsonObject reply = session.command(command("whoami"));
            session.logout();
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
            JsonObject reply = cli.inSession(Json.createObjectBuilder().add("command", "rename")
                    .add("username", Username.of(username).value()).build());
            cli.remember(reply);
            cli.print(reply);
            return 0;
        }
    }

    @Command(name = "rotate-key", description = "Replace your key with a new one; the old key stops working.")
    static class RotateKey extends Sub {
        @Override
        public Integer call() {
            KeyStoreFiles.Identity me = cli.files().load();
            String username = me.username().orElseThrow(() ->
                    new OsmsException(0, "not_registered", "This key is not registered yet."));
            KeyPair next = KeyStoreFiles.generate();
            cli.files().savePending(new KeyStoreFiles.Identity(next, me.username()));
            OsmsClient client = cli.client();
            OsmsClient.Session session = client.login(Username.of(username), me.key(), cli.trustedServerKey(client));
            OtrPublicKey nextPublic = OtrPublicKey.of(next.getPublic());
            byte[] proof = SessionProofs.signKeyReplacement(session.challenge(), nextPublic, next.getPrivate());
            JsonObject reply;
            try {
                reply = session.command(Json.createObjectBuilder().add("command", "replace-key")
                        .add("publicKey", java.util.Base64.getEncoder().encodeToString(nextPublic.serialized()))
                        .add("signature", java.util.Base64.getEncoder().encodeToString(proof)).build());
            } finally {
                session.logout();
            }
            cli.files().promotePending();
            cli.print(reply);
            return 0;
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

    @Command(name = "unpublish", description = "Hide your key from the public directory (it still logs you in).")
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
            JsonObject user = cli.client().user(Username.of(username).value());
            cli.out.println(user.getString("username") + "  " + user.getString("status")
                    + (user.containsKey("fingerprint") ? "  " + user.getString("fingerprint") : ""));
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
                cli.out.println(e.getJsonNumber("seq") + "  " + e.getString("event") + "  "
                        + e.getString("usernameBefore", "-") + " -> " + e.getString("usernameAfter", "-") + "  "
                        + e.getString("fingerprintAfter", "-"));
            }
            return 0;
        }
    }

    @Command(name = "audit", description = "Download the whole audit log, recompute its hash chain, and check that "
            + "what you verified before was not rewritten (no login).")
    static class Audit extends Sub {
        @Override
        public Integer call() {
            java.util.List<org.osms.protocol.AuditRecord> log;
            try {
                log = cli.client().verifiedAuditLog();
            } catch (org.osms.protocol.AuditChain.BrokenChainException e) {
                throw new OsmsException(0, "audit_broken", "The audit log does not verify: " + e.getMessage());
            }
            java.util.HexFormat hex = java.util.HexFormat.of();
            Optional<String[]> before = cli.files().auditCheckpoint(cli.server);
            if (before.isPresent()) {
                long seq = Long.parseLong(before.get()[0]);
                boolean same = seq == 0 || seq <= log.size()
                        && hex.formatHex(log.get((int) seq - 1).hash()).equals(before.get()[1]);
                if (!same) {
                    throw new OsmsException(0, "audit_rewritten", "The audit log was rewritten: entry " + seq
                            + " is not the one verified before (" + before.get()[1] + ").");
                }
            }
            long head = log.size();
            String headHash = head == 0 ? "" : hex.formatHex(log.get(log.size() - 1).hash());
            if (head > 0) {
                cli.files().saveAuditCheckpoint(cli.server, head, headHash);
            }
            cli.out.println("audit log verified: " + head + " entries" + (head > 0 ? ", head " + headHash : ""));
            return 0;
        }
    }
}
