/**
 * The server's own OTR long-term DSA key: generated once on first start, kept in the database, its fingerprint
 * logged for the operator, its public half served at {@code GET /pk}.
 */
package org.osms.serverkey;
