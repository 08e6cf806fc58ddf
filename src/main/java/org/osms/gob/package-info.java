/**
 * Go's gob encoding (https://pkg.go.dev/encoding/gob), the seed's wire format for public data: a strict encoder and
 * a hostile-input-safe decoder for the types the OSMS protocol uses, and the JAX-RS provider of
 * {@code application/x-gob}. Java records map to Go structs field by field, the Go field name being the record
 * component's name with its first letter upper-cased ({@code publicKey} is {@code PublicKey}).
 */
package org.osms.gob;
