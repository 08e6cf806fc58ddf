package org.osms.h2;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SqlWritesTest {
    @ParameterizedTest
    @ValueSource(strings = {
        "SELECT 1",
        "select seq from entry where id = ?",
        "  \n\tSELECT x FROM t",
        "(SELECT a FROM t) UNION (SELECT b FROM u)",
        "-- a comment\nSELECT 1",
        "/* hint */ SELECT 1",
        "VALUES (1)",
        "TABLE t",
        "EXPLAIN SELECT 1",
        "SHOW TABLES",
        "SELECT 'FOR' FROM t WHERE UPDATED = 1",
    })
    void plainQueriesRead(String sql) {
        assertFalse(SqlWrites.writes(sql), sql);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "INSERT INTO t VALUES (1)",
        "update t set x = 1",
        "DELETE FROM t",
        "MERGE INTO t KEY (id) VALUES (1, 2)",
        "SELECT last_seq FROM head WHERE id = 1 FOR UPDATE",
        "select x from t where id = ? for\n  update",
        "SELECT x FROM t FOR UPDATE NOWAIT",
        "WITH r AS (SELECT 1) SELECT * FROM r",
        "CALL f()",
        "SET LOCK_TIMEOUT 1000",
        "CREATE TABLE t(x INT)",
        "SELECTED_TABLE_FUNCTION()",
        "TABLES_UPDATE()",
        "",
        "/* unterminated comment SELECT 1",
        "-- only a comment",
    })
    void everythingElseWrites(String sql) {
        assertTrue(SqlWrites.writes(sql), sql);
    }

    @org.junit.jupiter.api.Test
    void noTextWrites() {
        assertTrue(SqlWrites.writes(null));
    }
}
