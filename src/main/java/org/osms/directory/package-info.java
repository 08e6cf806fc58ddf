/**
 * The public identity directory: one row per identity with its current username and its one public key, the
 * permanent claims that keep every used name and key with its identity, the use cases that change an identity (each
 * appending its audit entry in the same transaction) and the public {@code /user} endpoints.
 */
package org.osms.directory;
