/**
 * The HTTP face of OSMS: the JAX-RS application, the representation layer (how the protocol documents are written
 * on the wire) and the one place where every rejection becomes an error document with its status code.
 */
package org.osms.web;
