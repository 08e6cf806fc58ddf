package org.osms.web;

/**
 * The media types in which public documents are offered. Resources list them in {@code @Produces}; providers render
 * the protocol records in each (JSON-B for JSON, {@link org.osms.gob.GobRepresentation} for gob), so a resource never
 * knows which one the client gets.
 */
public final class Representations {
    public static final String JSON = "application/json";
    /** Go's encoding/gob, the seed's format: the default when a client states no preference. */
    public static final String GOB = "application/x-gob";
    /** What public endpoints list in @Produces: gob preferred (qs=1), JSON on request. */
    public static final String GOB_PREFERRED = GOB + ";qs=1";
    public static final String JSON_ON_REQUEST = JSON + ";qs=0.9";

    private Representations() {
    }
}
