package org.osms.audit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import org.osms.protocol.AuditPage;
import org.osms.web.PageRequest;
import org.osms.web.Representations;

/**
 * {@code GET /audit?after=N&limit=M}: the whole log, in pages, for anyone to audit and recompute. One instance serves
 * every request: it holds nothing of a request.
 */
@Path("audit")
@ApplicationScoped
public class AuditResource {
    @Inject
    AuditLog log;

    @GET
    @Produces({Representations.GOB_PREFERRED, Representations.JSON_ON_REQUEST})
    public AuditPage page(@QueryParam("after") String after, @QueryParam("limit") String limit) {
        PageRequest page = PageRequest.of(after, limit);
        return log.page(page.after(), page.limit());
    }
}
