package org.osms.session;

import static org.osms.protocol.JsonDocuments.JSON;

import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.stream.JsonParser;
import java.io.StringReader;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.osms.directory.Directory;
import org.osms.directory.DirectoryCommands;
import org.osms.directory.Identity;
import org.osms.metrics.ServerMetrics;
import org.osms.persistence.CommitPoint;
import org.osms.persistence.TransientFailures;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.ProtocolException;
import org.osms.protocol.SessionProofs;
import org.osms.protocol.Username;
import org.osms.web.ApiException;

/**
 * The authenticated commands: one JSON object in the plaintext of an OTR data message, one JSON reply back in the
 * same conversation (docs/protocol.md, "Commands"). This class owns only what every command shares — the sequence
 * number, the authority rule, {@code register} (which gives a registration conversation its identity) — and hands
 * each command to the capability that answers it ({@link CommandHandler}).
 */
@ApplicationScoped
public class Commands {
    private static final Logger LOG = Logger.getLogger(Commands.class.getName());

    @Inject
    Directory directory;

    @Inject
    RegistrationWork registrationWork;

    @Inject
    Authority authority;

    @Inject
    ServerMetrics metrics;

    @Inject
    @Any
    Instance<CommandHandler> handlers;

    private final Map<String, CommandHandler> byName = new HashMap<>();

    /**
     * Either the reply plaintext, or a refusal answered outside the channel (nothing was done); {@code authorityLost}
     * when the conversation may no longer act and must end.
     */
    public record Outcome(String reply, ApiException refusal, boolean authorityLost, Deferred deferred) {
        static Outcome refused(ApiException e) {
            return new Outcome(null, e, false, null);
        }
    }

    /**
     * A command that asked to be answered later ({@link Caller#deferUntil}, the long poll): nothing is answered now;
     * {@link #resume} runs it once more, under a fresh authority check, when {@code wakeup} fires or after
     * {@code maxWait}. Its sequence number is spent; {@code command} is what the handler kept of it to run again
     * ({@link Caller#deferUntil}), not the request.
     */
    public record Deferred(long seq, JsonObject command, Wakeup wakeup, java.time.Duration maxWait) {
    }

    @PostConstruct
    void collectHandlers() {
        byName.putAll(byName(handlers));
    }

    /** The handlers this instance collected, by command name: what {@link #execute} dispatches on. */
    Map<String, CommandHandler> handlers() {
        return java.util.Collections.unmodifiableMap(byName);
    }

    /** Each command name with the one handler that answers it; two handlers for one name do not start. */
    static Map<String, CommandHandler> byName(Iterable<? extends CommandHandler> handlers) {
        Map<String, CommandHandler> byName = new HashMap<>();
        for (CommandHandler h : handlers) {
            for (String name : h.commands()) {
                CommandHandler earlier = byName.putIfAbsent(name, h);
                if (earlier != null || name.equals("register")) {
                    throw new IllegalStateException("Two handlers answer the command '" + name + "'.");
                }
            }
        }
        return byName;
    }

    public Outcome execute(ConversationState state, String plaintext) {
        Optional<JsonObject> parsed = parse(plaintext);
        if (parsed.isEmpty()) {
            return Outcome.refused(CommandArguments.badCommand("The command is not a JSON object."));
        }
        JsonObject command = parsed.get();
        long seq;
        try {
            seq = CommandArguments.integer(command, "seq");
        } catch (ApiException e) {
            return Outcome.refused(e);
        }
        if (!state.acceptSeq(seq)) {
            return Outcome.refused(new ApiException(409, "replayed",
                    "The command's sequence number is not the next one: replayed or out of order; nothing was done."));
        }
        metrics.command(command.get("command") instanceof JsonString n
                && (byName.containsKey(n.getString()) || n.getString().equals("register"))
                ? n.getString() : ServerMetrics.OTHER);
        return runAndReply(state, seq, command, true);
    }

    /**
     * The plaintext as one JSON object and nothing after it, or empty. The parser's refusals are not all
     * {@link JsonException}s: a number whose exponent or scale does not fit, a number literal longer than the
     * parser's limit and nesting deeper than its limit throw other runtime exceptions, and every one of them is a
     * malformed command (400), not a failure of the server.
     */
    static Optional<JsonObject> parse(String plaintext) {
        try (JsonParser parser = JSON.createParser(new StringReader(plaintext))) {
            if (!parser.hasNext() || parser.next() != JsonParser.Event.START_OBJECT) {
                return Optional.empty();
            }
            JsonObject command = parser.getObject();
            return parser.hasNext() ? Optional.empty() : Optional.of(command);
        } catch (RuntimeException malformed) {
            return Optional.empty();
        }
    }

    /** Runs a deferred command again, once: this time it answers whatever it finds, even nothing. */
    public Outcome resume(ConversationState state, Deferred deferred) {
        return runAndReply(state, deferred.seq(), deferred.command(), false);
    }

    private Outcome runAndReply(ConversationState state, long seq, JsonObject command, boolean mayDefer) {
        JsonObjectBuilder reply = JSON.createObjectBuilder().add("seq", seq);
        CommitPoint commitPoint = new CommitPoint();
        try {
            Caller caller = run(state, CommandArguments.text(command, "command"), command, reply, mayDefer,
                    commitPoint);
            if (caller != null && caller.wakeup() != null) {
                return new Outcome(null, null, false, new Deferred(seq, caller.rerun(), caller.wakeup(),
                        caller.maxWait()));
            }
            reply.add("ok", true);
        } catch (Authority.Lost e) {
            return new Outcome(null, SessionException.unknownSession(), true, null);
        } catch (ApiException e) {
            reply.add("ok", false).add("error", e.code()).add("message", e.getMessage());
        } catch (ProtocolException e) {
            reply.add("ok", false).add("error", e.code()).add("message", e.getMessage());
        } catch (RuntimeException e) {
            answerFailure(e, commitPoint, reply);
        }
        return new Outcome(reply.build().toString(), null, false, null);
    }

    /**
     * A failure of the database, answered inside the channel so that the conversation goes on (thrown out of the
     * bean, it would end it with a 500): {@code busy} when the transaction certainly rolled back, {@code
     * unknown_outcome} when the command's work was over and its commit failed for another reason. Anything else is a
     * defect, and is thrown. Package-private for its unit test.
     */
    static void answerFailure(RuntimeException e, CommitPoint commitPoint, JsonObjectBuilder reply) {
        if (commitPoint.isCommitted()) {
            throw e; // after the commit: a defect of this code, not a failure of the database
        }
        if (commitPoint.isReached() && !TransientFailures.certainlyRolledBack(e)) {
            // Say a connection lost while the database committed: the command may have been done. "busy" would
            // tell the client to send it again, and a send would then be stored twice.
            LOG.warning(() -> "A command's commit failed (" + e.getClass().getSimpleName() + ", "
                    + TransientFailures.describe(e) + "); answered unknown_outcome: it may have been done.");
            reply.add("ok", false).add("error", "unknown_outcome").add("message",
                    "The database failed while committing the command, which may or may not have been done; "
                            + "check before sending it again.");
            return;
        }
        if (!TransientFailures.isTransient(e)) {
            throw e;
        }
        // A lock or connection waited for too long, or the database rolled the transaction back: nothing was done.
        LOG.info(() -> "A command found the database busy (" + TransientFailures.describe(e)
                + "); answered busy, nothing was done.");
        reply.add("ok", false).add("error", "busy")
                .add("message", "The database was busy and nothing was done; send the command again.");
    }

    /** Runs one command; returns its caller (null for {@code register}, which has none yet). */
    private Caller run(ConversationState state, String name, JsonObject c, JsonObjectBuilder reply,
                       boolean mayDefer, CommitPoint commitPoint) {
        if (!state.actsForAnIdentity()) {
            if (!name.equals("register")) {
                throw new ApiException(403, "not_registered",
                        "This key is not registered; the only command is 'register'.");
            }
            register(state, c, reply, commitPoint);
            return null;
        }
        if (name.equals("register")) {
            throw new ApiException(409, "already_registered", "This conversation is logged in.");
        }
        CommandHandler handler = byName.get(name);
        if (handler == null) {
            throw new ApiException(400, "unknown_command", "No such command.");
        }
        // the request's own costly checks first, outside the transaction: they never hold the identity's row
        Object prepared = handler.prepares(name) ? prepare(state, handler, name, c) : null;
        Caller[] ran = new Caller[1];
        try {
            authority.run(state.identityId(), state.provenKey(), state.authorityEpoch(), state.challenge(), mayDefer,
                    handler.changesNothing(name), prepared, commitPoint, caller -> {
                ran[0] = caller;
                handler.handle(caller, name, c, reply);
            });
            commitPoint.committed();
        } catch (ApiException | ProtocolException refused) {
            if (prepared != null) {
                state.preparationRefused(); // its costly preparation was spent on a command that changed nothing
            }
            throw refused;
        }
        // Committed: only now does the conversation follow what the command changed.
        Caller caller = ran[0];
        if (caller.newlyProvenKey() != null) {
            state.actsUnder(caller.newlyProvenKey(), caller.newEpoch());
        }
        if (caller.endsOtherConversations()) {
            state.identityChanged();
        }
        if (caller.endsThisConversation()) {
            state.end();
        }
        return caller;
    }

    /** Preparation work a conversation may have refused before its commands that prepare answer rate_limited. */
    static final int MAX_REFUSED_PREPARATIONS = 3;

    private Object prepare(ConversationState state, CommandHandler handler, String name, JsonObject c) {
        if (!authority.mayStillAct(state.identityId(), state.provenKey(), state.authorityEpoch())) {
            throw new Authority.Lost();
        }
        if (state.refusedPreparations() >= MAX_REFUSED_PREPARATIONS) {
            throw new ApiException(429, "rate_limited", "This conversation's '" + name + "' was refused "
                    + MAX_REFUSED_PREPARATIONS + " times; log in again to try once more.");
        }
        try {
            return handler.prepare(state.identityId(), state.challenge(), name, c);
        } catch (ApiException | ProtocolException refused) {
            state.preparationRefused();
            throw refused;
        }
    }

    private void register(ConversationState state, JsonObject c, JsonObjectBuilder reply, CommitPoint commitPoint) {
        Username username = Username.of(CommandArguments.text(c, "username"));
        long counter;
        try {
            counter = CommandArguments.integer(c, "counter");
        } catch (ApiException e) {
            throw CommandArguments.badCommand("'register' needs an integer 'counter' (proof of work).");
        }
        OtrPublicKey key = state.registrationKey();
        if (key == null) {
            // only a registration conversation whose handshake proved a key may register (Conversation.handshake)
            throw new ApiException(403, "not_registered", "This conversation proved no key to register.");
        }
        // before the Argon2id evaluation, which only a free name and key may cost
        directory.conflictOfRegistration(username, key).ifPresent(conflict -> {
            throw conflict;
        });
        if (!registrationWork.isSolved(state.registrationDifficulty().orElseGet(registrationWork::current),
                state.challenge(), username.value(), key.fingerprint().hex(), counter, state::abandoned)) {
            state.end(); // each check costs the server an Argon2id evaluation: one wrong answer per conversation
            throw new ApiException(403, "bad_proof_of_work", "The proof of work does not check out.");
        }
        try {
            key.requirePrimes(); // the one test the handshake left, paid for by the puzzle just solved
        } catch (ProtocolException notPrime) {
            state.end();
            throw new ApiException(403, notPrime.code(), notPrime.getMessage());
        }
        Identity identity = directory.register(username, key, commitPoint);
        commitPoint.committed();
        registrationWork.registered();
        state.loggedInAs(identity.id(), identity.authorityEpoch());
        DirectoryCommands.describe(identity, reply);
    }
}
