/**
 * The reference client: a library that logs in to OSMS over an OTR conversation and runs commands, and the
 * {@code osms} command line built on it. Shipped as its own executable jar, with no server code in it.
 */
package org.osms.client;
