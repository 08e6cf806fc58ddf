package org.osms.session;

import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.Set;

/**
 * One capability's commands inside the login conversation (docs/protocol.md, "Commands"). Implementations are CDI
 * beans; {@link Commands} finds every one of them at start-up, so adding a command means adding a handler, never
 * editing a central switch. A command name belongs to exactly one handler.
 *
 * <p>{@link #handle} runs inside the transaction that has just checked the caller's authority (the identity's row is
 * locked, its current key is the key this conversation proved, it may log in, and its authority epoch is the one the
 * conversation acts under: see {@link Authority}): whatever the handler changes is
 * decided against that state and committed with it, or not at all. To refuse, throw an
 * {@link org.osms.web.ApiException} or {@link org.osms.protocol.ProtocolException}: the transaction rolls back and
 * the refusal is answered inside the channel ({@code "ok": false}).
 *
 * <p>A command that changes nothing ({@link #changesNothing}) runs with the identity read but not locked: a lock
 * makes every command a writing transaction, which the database must make durable at its commit (PostgreSQL flushes
 * its write-ahead log, H2 writes its file). Instead, {@link Authority} reads the identity again once the command is
 * done, and refuses the answer when its key, status or authority epoch changed meanwhile: what the command read was
 * read while the key was current.
 */
public interface CommandHandler {
    /** The command names this handler answers. */
    Set<String> commands();

    /**
     * True when {@code command} changes nothing that a concurrent change of the identity's key or status should have
     * prevented: it only reads. False (the default) locks the identity's row from the check to the commit.
     */
    default boolean changesNothing(String command) {
        return false;
    }

    /**
     * The work a command needs on the request alone, done before the caller's authority is checked, outside any
     * transaction: what costs real CPU and reads nothing stored (parsing and validating a key, checking a signature),
     * so that it never holds the identity's row, nor, on the embedded database, the gate every writer waits at.
     * Returns what {@link #handle} finds in {@link Caller#prepared()}; throws to refuse, as {@code handle} does.
     * Nothing by default. {@code identityId} and {@code challenge} are the conversation's; its authority is not
     * checked yet, so whatever this returns must not change anything.
     */
    default Object prepare(long identityId, byte[] challenge, String command, JsonObject request) {
        return null;
    }

    /**
     * Whether {@code command} has {@link #prepare} work. Before it, the conversation's authority is read (without a
     * lock); a conversation whose preparations were refused {@link Commands#MAX_REFUSED_PREPARATIONS} times gets
     * {@code rate_limited} instead, so that each costly check a client can have refused costs it a login.
     */
    default boolean prepares(String command) {
        return false;
    }

    /** Runs one command; adds the reply's fields (besides {@code seq} and {@code ok}) to {@code reply}. */
    void handle(Caller caller, String command, JsonObject request, JsonObjectBuilder reply);
}
