package org.osms.session;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonReader;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.util.Base64;
import org.osms.directory.Directory;
import org.osms.directory.Identity;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.ProtocolException;
import org.osms.protocol.SessionProofs;
import org.osms.protocol.Username;
import org.osms.web.ApiException;

/**
 * The authenticated commands: one JSON object in the plaintext of an OTR data message, one JSON reply back in the
 * same conversation (docs/protocol.md, "Commands").
 */
@ApplicationScoped
public class Commands {
    @Inject
    Directory directory;

    @Inject
    RegistrationWork registrationWork;

    /** Either the reply plaintext, or a refusal that is answered outside the channel (nothing was done). */
    public record Outcome(String reply, ApiException refusal) {
    }

    public Outcome execute(ConversationState state, String plaintext) {
        JsonObject command;
        try (JsonReader r = Json.createReader(new StringReader(plaintext))) {
            command = r.readObject();
        } catch (JsonException | IllegalStateException e) {
            return new Outcome(null, new ApiException(400, "bad_command", "The command is not a JSON object."));
        }
        long seq;
        try {
            seq = command.getJsonNumber("seq").longValueExact();
        } catch (RuntimeException e) {
            return new Outcome(null, new ApiException(400, "bad_command", "The command has no integer 'seq'."));
        }
        if (!state.acceptSeq(seq)) {
            return new Outcome(null, new ApiException(409, "replayed",
                    "The command's sequence number is not the next one: replayed or out of order; nothing was done."));
        }
        JsonObjectBuilder reply = Json.createObjectBuilder().add("seq", seq);
        try {
            run(state, text(command, "command"), command, reply);
            reply.add("ok", true);
        } catch (ApiException e) {
            reply.add("ok", false).add("error", e.code()).add("message", e.getMessage());
        } catch (ProtocolException e) {
            reply.add("ok", false).add("error", e.code()).add("message", e.getMessage());
        }
        return new Outcome(reply.build().toString(), null);
    }

    private void run(ConversationState state, String name, JsonObject c, JsonObjectBuilder reply) {
        if (state.identityId().isEmpty()) {
            if (!name.equals("register")) {
                throw new ApiException(403, "not_registered",
                        "This key is not registered; the only command is 'register'.");
            }
            register(state, c, reply);
            return;
        }
        long id = state.identityId().get();
        Identity identity = switch (name) {
            case "whoami" -> directory.find(id).orElseThrow();
            case "register" -> throw new ApiException(409, "already_registered", "This conversation is logged in.");
            case "rename" -> directory.rename(id, Username.of(text(c, "username")));
            case "replace-key" -> replaceKey(state, id, c);
            case "unpublish-key" -> directory.unpublishKey(id);
            case "publish-key" -> directory.publishKey(id);
            case "revoke-key" -> {
                Identity revoked = directory.revokeKey(id);
                state.end();
                yield revoked;
            }
            case "delete-account" -> {
                Identity deleted = directory.delete(id);
                state.end();
                yield deleted;
            }
            default -> throw new ApiException(400, "unknown_command", "No such command.");
        };
        describe(identity, reply);
    }

    private void register(ConversationState state, JsonObject c, JsonObjectBuilder reply) {
        Username username = Username.of(text(c, "username"));
        long counter;
        try {
            counter = c.getJsonNumber("counter").longValueExact();
        } catch (RuntimeException e) {
            throw new ApiException(400, "bad_command", "'register' needs an integer 'counter' (proof of work).");
        }
        OtrPublicKey key = state.provenKey();
        if (!registrationWork.isSolved(state.registrationDifficulty().orElseGet(registrationWork::current),
                state.challenge(), username.value(), key.fingerprint().hex(), counter)) {
            state.end(); // each check costs the server an Argon2id evaluation: one wrong answer per conversation
            throw new ApiException(403, "bad_proof_of_work", "The proof of work does not check out.");
        }
        Identity identity = directory.register(username, key);
        registrationWork.registered();
        state.loggedInAs(identity.id());
        describe(identity, reply);
    }

    private Identity replaceKey(ConversationState state, long id, JsonObject c) {
        OtrPublicKey newKey = OtrPublicKey.parse(bytes(c, "publicKey"));
        if (!SessionProofs.keyReplacementIsSigned(state.challenge(), newKey, bytes(c, "signature"))) {
            throw new ApiException(403, "bad_key_proof",
                    "The signature does not prove possession of the new key in this conversation.");
        }
        return directory.replaceKey(id, newKey);
    }

    private static void describe(Identity identity, JsonObjectBuilder reply) {
        reply.add("identityId", identity.id())
                .add("username", identity.username().value())
                .add("status", identity.status().wireName());
        identity.fingerprint().ifPresent(f -> reply.add("fingerprint", f.hex()));
    }

    private static String text(JsonObject c, String name) {
        JsonValue v = c.get(name);
        if (!(v instanceof JsonString s)) {
            throw new ApiException(400, "bad_command", "The command needs a string '" + name + "'.");
        }
        return s.getString();
    }

    private static byte[] bytes(JsonObject c, String name) {
        try {
            return Base64.getDecoder().decode(text(c, name));
        } catch (IllegalArgumentException e) {
            throw new ApiException(400, "bad_command", "'" + name + "' must be base64.");
        }
    }
}
