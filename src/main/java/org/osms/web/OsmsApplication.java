package org.osms.web;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;

/** All OSMS endpoints sit at the root of the onion address: {@code /pk}, {@code /user/...}, {@code /audit}. */
@ApplicationPath("/")
@OpenAPIDefinition(info = @Info(title = "OSMS", version = "1",
        description = "Open, Secure Messaging Service. The normative specification is docs/protocol.md."))
public class OsmsApplication extends Application {
}
