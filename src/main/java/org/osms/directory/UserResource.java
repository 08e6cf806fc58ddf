package org.osms.directory;

import jakarta.enterprise.context.ApplicationScoped;
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

/**
 * The public directory: {@code GET /user/{username}} and {@code GET /user/{username}/history}. No login needed.
 *
 * <p>One instance serves every request (it holds nothing of a request), so no lookup pays for building and injecting a
 * resource of its own (docs/performance.md, "Resources built per request").
 */
@Path("user/{username}")
@ApplicationScoped
public class UserResource {
    @Inject
    PublicDirectory directory;

    @Inject
    AuditLog audit;

    @GET
    @Produces({Representations.GOB_PREFERRED, Representations.JSON_ON_REQUEST})
    public UserView user(@PathParam("username") String rawName) {
        DirectoryEntry entry = holder(Username.of(rawName));
        if (entry.status() == IdentityStatus.DELETED) {
            throw new DirectoryException.DeletedUser();
        }
        boolean published = entry.keyPublished();
        return new UserView(entry.username().value(), entry.status().wireName(),
                published ? entry.publishedKey() : null, published ? entry.publishedFingerprint().hex() : null);
    }

    /** Answers for every status, deleted included: the history of an identity stays public for good. */
    @GET
    @Path("history")
    @Produces({Representations.GOB_PREFERRED, Representations.JSON_ON_REQUEST})
    public HistoryView history(@PathParam("username") String rawName,
                               @QueryParam("after") String after, @QueryParam("limit") String limit) {
        Username username = Username.of(rawName);
        PageRequest page = PageRequest.of(after, limit);
        DirectoryEntry entry = holder(username);
        AuditLog.Page entries = audit.ofIdentity(entry.id(), page.after(), page.limit());
        return new HistoryView(username.value(), entry.id(), entries.entries(), entries.nextAfter());
    }

    private DirectoryEntry holder(Username username) {
        return directory.lookUp(username).orElseThrow(DirectoryException.UnknownUser::new);
    }
}
