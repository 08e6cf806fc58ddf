package org.osms.directory;

import jakarta.enterprise.context.RequestScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import org.osms.audit.AuditLog;
import org.osms.protocol.HistoryView;
import org.osms.protocol.UserView;
import org.osms.protocol.Username;
import org.osms.web.PageRequest;
import org.osms.web.Representations;

/** The public directory: {@code GET /user/{username}} and {@code GET /user/{username}/history}. No login needed. */
@Path("user/{username}")
@RequestScoped
public class UserResource {
    @Inject
    PublicDirectory directory;

    @Inject
    AuditLog audit;

    @GET
    @Produces({Representations.GOB_PREFERRED, Representations.JSON_ON_REQUEST})
    public UserView user(@PathParam("username") String rawName) {
        Identity identity = holder(Username.of(rawName));
        if (identity.status() == IdentityStatus.DELETED) {
            throw new DirectoryException.DeletedUser();
        }
        // A suspension hides nothing: a key that was published stays published (it is still the identity's key,
        // and messages it sent before the suspension must stay readable); an unpublished one stays hidden.
        boolean published = identity.status() == IdentityStatus.ACTIVE
                || identity.statusBeforeSuspension().filter(IdentityStatus.ACTIVE::equals).isPresent();
        return new UserView(identity.username().value(), identity.status().wireName(),
                published ? identity.publicKeyBytes().orElseThrow() : null,
                published ? identity.fingerprint().orElseThrow().hex() : null);
    }

    /** Answers for every status, deleted included: the history of an identity stays public for good. */
    @GET
    @Path("history")
    @Produces({Representations.GOB_PREFERRED, Representations.JSON_ON_REQUEST})
    public HistoryView history(@PathParam("username") String rawName,
                               @QueryParam("after") String after, @QueryParam("limit") String limit) {
        Username username = Username.of(rawName);
        PageRequest page = PageRequest.of(after, limit);
        Identity identity = holder(username);
        AuditLog.Page entries = audit.ofIdentity(identity.id(), page.after(), page.limit());
        return new HistoryView(username.value(), identity.id(), entries.entries(), entries.nextAfter());
    }

    private Identity holder(Username username) {
        return directory.lookUp(username).orElseThrow(DirectoryException.UnknownUser::new);
    }
}
