/**
 * Mailboxes: the server relays end-to-end OTR messages between users and keeps each one until its recipient
 * acknowledges it or it expires (docs/protocol.md, "Messaging"). The commands run inside the login conversation,
 * under its authority rule; the bodies are opaque OTR messages, never plaintext.
 */
package org.osms.messaging;
