package org.osms.serverkey;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import org.osms.protocol.ServerKeyHistoryView;
import org.osms.protocol.ServerKeyView;
import org.osms.web.Representations;

/**
 * {@code GET /pk}: the server's current OTR public key, the first step of every login; {@code GET /pk/history}: every
 * key it has had, with the signed handovers that let a client that pinned an old key follow it to the current one.
 * One instance serves every request: it holds nothing of a request.
 */
@Path("pk")
@ApplicationScoped
public class PublicKeyResource {
    @Inject
    ServerKey serverKey;

    @GET
    @Produces({Representations.GOB_PREFERRED, Representations.JSON_ON_REQUEST})
    public ServerKeyView publicKey() {
        return serverKey.view();
    }

    @GET
    @Path("history")
    @Produces({Representations.GOB_PREFERRED, Representations.JSON_ON_REQUEST})
    public ServerKeyHistoryView history() {
        return serverKey.history();
    }
}
