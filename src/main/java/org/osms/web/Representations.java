package org.osms.web;

/**
 * The media types in which public documents are offered, in order of preference. Resources list these in
 * {@code @Produces}; message body writers registered as providers render the protocol records in each.
 */
public final class Representations {
    public static final String JSON = "application/json";

    private Representations() {
    }
}
