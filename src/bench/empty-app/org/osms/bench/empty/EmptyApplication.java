package org.osms.bench.empty;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Application;
import jakarta.ws.rs.core.MediaType;

/**
 * The limit of the start-up benchmark (docs/performance.md): an application with nothing in it but one JAX-RS
 * resource at {@code GET /pk}, deployed on the same Liberty with OSMS's features, so that what its start-up takes is
 * Liberty's own share of OSMS's.
 */
@ApplicationPath("/")
public class EmptyApplication extends Application {
    /** The one resource: a constant JSON document. */
    @Path("pk")
    public static class Pk {
        @GET
        @Produces(MediaType.APPLICATION_JSON)
        public String get() {
            return "{}";
        }
    }
}
