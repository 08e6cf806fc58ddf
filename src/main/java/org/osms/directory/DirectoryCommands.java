package org.osms.directory;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.util.Set;
import org.osms.protocol.OtrPublicKey;
import org.osms.protocol.SessionProofs;
import org.osms.protocol.Username;
import org.osms.session.Caller;
import org.osms.session.CommandArguments;
import org.osms.session.CommandHandler;
import org.osms.web.ApiException;

/** The directory's commands inside the login conversation: the caller's own identity (docs/protocol.md). */
@ApplicationScoped
public class DirectoryCommands implements CommandHandler {
    @Inject
    Directory directory;


    @Override
    public Set<String> commands() {
        return Set.of("whoami", "rename", "replace-key", "unpublish-key", "publish-key", "revoke-key",
                "delete-account");
    }

    @Override
    public boolean changesNothing(String command) {
        return command.equals("whoami");
    }

    @Override
    public boolean prepares(String command) {
        return command.equals("replace-key");
    }

    /**
     * {@code replace-key}'s new key, checked before the identity's row is locked (the primality of p and q costs about
     * a third of a second for a 3072-bit p: under the lock, and on the embedded database at the gate every writer
     * waits at, one conversation could keep everyone's writes waiting) and cheapest first: its form and subgroup,
     * then whether it is the identity's or another identity's key (a read), then the signature, and only then the
     * primality tests. A key with both primes and a right signature is a change that counts against
     * OSMS_IDENTITY_CHANGES_PER_DAY, so the costly test is not a free one; Commands ends the cheap refusals'
     * repetition ({@link CommandHandler#prepares}).
     */
    @Override
    public Object prepare(long identityId, byte[] challenge, String command, JsonObject c) {
        OtrPublicKey newKey = OtrPublicKey.parseUnproven(CommandArguments.bytes(c, "publicKey"));
        directory.refusalOfNewKey(identityId, newKey.fingerprint()).ifPresent(refusal -> {
            throw refusal;
        });
        if (!SessionProofs.keyReplacementIsSigned(challenge, newKey, CommandArguments.bytes(c, "signature"))) {
            throw new ApiException(403, "bad_key_proof",
                    "The signature does not prove possession of the new key in this conversation.");
        }
        return newKey.requirePrimes();
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
        caller.replacedKeyWith(replaced);
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
