package org.osms.protocol;

/**
 * The body of every 4xx and 5xx answer.
 *
 * @param error   a short, stable code (for example {@code bad_username}, {@code not_found})
 * @param message one sentence for a person
 */
public record ErrorDocument(String error, String message) {
}
