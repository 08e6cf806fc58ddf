package org.osms.directory;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.SessionProofs;
import org.osms.protocol.Username;
import org.osms.session.Caller;
import org.osms.session.CommandArguments;
import org.osms.session.CommandHandler;
import org.osms.session.SlidingCounts;
import org.osms.web.ApiException;

/** The directory's commands inside the login conversation: the caller's own identity (docs/protocol.md). */
@ApplicationScoped
public class DirectoryCommands implements CommandHandler {
    @Inject
    Directory directory;

    @Inject
    DirectorySettings settings;

    @Inject
    Clock clock;

    private final SlidingCounts keyChecks = new SlidingCounts(Duration.ofHours(1));

    @Override
    public Set<String> commands() {
        return Set.of("whoami", "rename", "replace-key", "unpublish-key", "publish-key", "revoke-key",
                "delete-account");
    }

    @Override
    public boolean changesNothing(String command) {
        return command.equals("whoami");
    }

    /**
     * {@code replace-key}'s new key is parsed and validated, and its signature checked, before the identity's row is
     * locked, and at most {@link DirectorySettings#changesPerDay} times an hour per identity, answered or refused:
     * each has the server check a new key (the primality of p and q, about a third of a second for a 3072-bit p),
     * and a refused one counts against no other limit. One conversation could otherwise keep the server checking
     * keys, each time holding the identity's row and, on the embedded database, every writer.
     */
    @Override
    public Object prepare(long identityId, byte[] challenge, String command, JsonObject c) {
        if (!command.equals("replace-key")) {
            return null;
        }
        int perHour = settings.changesPerDay();
        if (!keyChecks.tryAcquire(identityId, clock.millis(), perHour)) {
            throw new ApiException(429, "rate_limited", "This identity sent " + perHour
                    + " key replacements in the last hour, the most allowed; try again later.");
        }
        OtrPublicKey newKey = OtrPublicKey.parse(CommandArguments.bytes(c, "publicKey"));
        if (!SessionProofs.keyReplacementIsSigned(challenge, newKey, CommandArguments.bytes(c, "signature"))) {
            throw new ApiException(403, "bad_key_proof",
                    "The signature does not prove possession of the new key in this conversation.");
        }
        return newKey;
    }

    /** Forgets identities that checked no key in the last hour (the retention sweep calls it). */
    public void forgetIdle() {
        keyChecks.forgetIdle(clock.millis());
    }

    @Override
    public void handle(Caller caller, String command, JsonObject c, JsonObjectBuilder reply) {
        long id = caller.identityId();
        Identity identity = switch (command) {
            case "whoami" -> caller.identity();
            case "rename" -> directory.rename(id, Username.of(CommandArguments.text(c, "username")));
            case "replace-key" -> replaceKey(caller);
            case "unpublish-key" -> directory.unpublishKey(id);
            case "publish-key" -> directory.publishKey(id);
            case "revoke-key" -> {
                Identity revoked = directory.revokeKey(id);
                caller.closedIdentity();
                yield revoked;
            }
            case "delete-account" -> {
                Identity deleted = directory.delete(id);
                caller.closedIdentity();
                yield deleted;
            }
            default -> throw new IllegalArgumentException(command);
        };
        describe(identity, reply);
    }

    private Identity replaceKey(Caller caller) {
        OtrPublicKey newKey = (OtrPublicKey) caller.prepared(); // validated and proven in prepare()
        Identity replaced = directory.replaceKey(caller.identityId(), newKey);
        caller.replacedKeyWith(newKey);
        return replaced;
    }

    /** The identity as a command reply describes it. */
    public static void describe(Identity identity, JsonObjectBuilder reply) {
        reply.add("identityId", identity.id())
                .add("username", identity.username().value())
                .add("status", identity.status().wireName());
        identity.fingerprint().ifPresent(f -> reply.add("fingerprint", f.hex()));
    }
}
