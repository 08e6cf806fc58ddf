/**
 * The one adapter between OSMS and otr4j: an OTR version 3 conversation with OSMS's policy, fed and drained one
 * whole message at a time. Nothing else in OSMS touches otr4j's types. Server and client both use it.
 */
package org.osms.otr;
