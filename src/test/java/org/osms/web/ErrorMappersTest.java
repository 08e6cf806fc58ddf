package org.osms.web;

import static org.junit.jupiter.api.Assertions.assertEquals;

import jakarta.persistence.PersistenceException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

/**
 * What a public endpoint answers when the database fails under it: busy, with Retry-After, when the database was busy
 * (the failure as the code meets it, wrapped as PublicDirectory and EclipseLink wrap it) under a read; a defect
 * otherwise.
 */
class ErrorMappersTest {
    private static void assertAnswer(Throwable failure, int status, String code, int retryAfter) {
        assertAnswer("GET", failure, status, code, retryAfter);
    }

    private static void assertAnswer(String method, Throwable failure, int status, String code, int retryAfter) {
        ApiException answer = ErrorMappers.FallbackMapper.answerFor(failure, method);
        assertEquals(status, answer.status());
        assertEquals(code, answer.code());
        assertEquals(retryAfter, answer.retryAfterSeconds());
    }

    @Test
    void noConnectionFreeInTimeIsBusyWithRetryAfter() {
        // Liberty's pool: ConnectionWaitTimeoutException, an SQLTransientConnectionException
        assertAnswer(new IllegalStateException("directory read failed",
                new SQLTransientConnectionException("no connection")), 503, "busy",
                BusyException.RETRY_AFTER_SECONDS);
    }

    @Test
    void aStatementCanceledOrAConnectionLostUnderAJpaReadIsBusy() {
        assertAnswer(new PersistenceException(new SQLException("canceled", "57014")), 503, "busy", 10);
        assertAnswer(new PersistenceException(new SQLException("closed", "08006")), 503, "busy", 10);
    }

    /**
     * Only under a read: a command's failure that reaches the mapper may come after its commit (a connection lost
     * then is transient too), and busy would tell the client that nothing was done.
     */
    @Test
    void theDatabaseBusyUnderAnythingButAReadIsADefect() {
        SQLTransientConnectionException lost = new SQLTransientConnectionException("no connection");
        assertAnswer("HEAD", new IllegalStateException(lost), 503, "busy", 10);
        for (String method : new String[] {"POST", "PUT", "DELETE", null}) {
            assertAnswer(method, new IllegalStateException(lost), 500, "internal_error", -1);
        }
    }

    @Test
    void anyOtherFailureIsADefect() {
        assertAnswer(new PersistenceException(new SQLException("syntax", "42601")), 500, "internal_error", -1);
        assertAnswer(new NullPointerException(), 500, "internal_error", -1);
    }
}
