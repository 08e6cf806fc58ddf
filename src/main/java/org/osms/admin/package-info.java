/**
 * Administration from a console: the MXBean {@code org.osms:type=Administration} in the platform MBeanServer (which
 * Liberty's REST connector and jconsole reach), with the service's figures and the operator's operations — suspend and
 * reinstate an identity, purge expired messages, rotate the server key. Every change to an identity is an entry of the
 * public audit log; a key rotation is an entry of the public server key history.
 */
package org.osms.admin;
