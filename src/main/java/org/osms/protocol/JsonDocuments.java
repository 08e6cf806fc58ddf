package org.osms.protocol;

import jakarta.json.spi.JsonProvider;

/**
 * The one JSON-P provider, looked up once. {@code jakarta.json.Json}'s static methods look the provider up with a
 * {@link java.util.ServiceLoader} on every call, which reads the class path's jars each time: in a profile of logins
 * that lookup was the client's largest single cost, and a visible one of the server's.
 */
public final class JsonDocuments {
    public static final JsonProvider JSON = JsonProvider.provider();

    private JsonDocuments() {
    }
}
