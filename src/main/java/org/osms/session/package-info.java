/**
 * Logins: one OTR conversation with the server per login, held by a stateful session bean. The handshake runs over
 * {@code POST /create_session}; afterwards every command travels as an OTR data message to {@code POST /session};
 * {@code POST /terminate_session} ends it. Registration is the same handshake with a key the directory does not know
 * yet, followed by a proof of work.
 */
package org.osms.session;
