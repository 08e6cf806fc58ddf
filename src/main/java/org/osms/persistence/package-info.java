/**
 * The database: schema migrations from {@code db/migration} applied at start-up as the database owner, and the
 * application's own restricted account behind the {@code jdbc/osms} data source that JPA uses.
 */
package org.osms.persistence;
