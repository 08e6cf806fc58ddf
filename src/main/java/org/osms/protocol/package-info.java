/**
 * The OSMS wire contract shared by server and client: value types with their validation rules (usernames, OTR
 * public keys and fingerprints), the public documents, and the canonical audit-entry encoding that anyone can use
 * to recompute the hash chain. Nothing in here depends on the server; the client jar ships this package.
 */
package org.osms.protocol;
