/**
 * What the operator sees at {@code /metrics} on the admin endpoint (README, "Operator's console"): counts of
 * handshakes, commands and relayed messages, live conversations and request latency. Never a username, fingerprint
 * or session id, as a value or as a tag: tags are only names the server itself defines (a command, an endpoint).
 */
package org.osms.metrics;
