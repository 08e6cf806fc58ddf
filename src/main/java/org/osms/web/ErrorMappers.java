package org.osms.web;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.osms.persistence.TransientFailures;
import org.osms.protocol.ErrorDocument;
import org.osms.protocol.ProtocolException;

/**
 * Every failure leaves as an {@link ErrorDocument} with its own status code; no stack trace ever reaches a client.
 */
public final class ErrorMappers {
    private static final Logger LOG = Logger.getLogger(ErrorMappers.class.getName());

    private ErrorMappers() {
    }

    static Response error(int status, String code, String message) {
        return Response.status(status)
                .type(MediaType.APPLICATION_JSON_TYPE)
                .entity(new ErrorDocument(code, message))
                .build();
    }

    @Provider
    public static class ApiExceptionMapper implements ExceptionMapper<ApiException> {
        @Override
        public Response toResponse(ApiException e) {
            Response r = error(e.status(), e.code(), e.getMessage());
            if (e.retryAfterSeconds() >= 0) {
                r = Response.fromResponse(r).header("Retry-After", e.retryAfterSeconds()).build();
            }
            if (!e.headers().isEmpty()) {
                Response.ResponseBuilder b = Response.fromResponse(r);
                e.headers().forEach(b::header);
                r = b.build();
            }
            return r;
        }
    }

    /** A value that breaks a protocol rule (bad username, bad key ...) is the client's mistake: 400. */
    @Provider
    public static class ProtocolExceptionMapper implements ExceptionMapper<ProtocolException> {
        @Override
        public Response toResponse(ProtocolException e) {
            return error(400, e.code(), e.getMessage());
        }
    }

    /** The framework's own rejections (unknown path, wrong method, unacceptable media type ...). */
    @Provider
    public static class WebApplicationExceptionMapper implements ExceptionMapper<WebApplicationException> {
        @Override
        public Response toResponse(WebApplicationException e) {
            int status = e.getResponse().getStatus();
            if (status >= 500) {
                LOG.log(Level.WARNING, "Request failed inside the framework", e);
                return error(500, "internal_error", "The server could not answer this request.");
            }
            Response.ResponseBuilder b = Response.fromResponse(
                    error(status, ErrorPage.codeFor(status), ErrorPage.reason(status)));
            String allow = e.getResponse().getHeaderString("Allow");
            if (allow != null) {
                b.header("Allow", allow);
            }
            return b.build();
        }
    }

    /**
     * Anything else is a defect of ours: logged (without request data) and answered without details. Except the
     * database being busy (no connection free in time, a lock or a statement that waited too long, a connection it
     * closed: {@link TransientFailures}) under a read ({@code GET}, {@code HEAD}: the public endpoints), which can meet
     * it as a command can: that is {@code 503 busy} with {@code Retry-After}, as the protocol says, logged at INFO
     * without a stack trace, for a read changed nothing. Not for the other methods: a failure that reaches this mapper
     * from them may come after a commit (a lost connection is transient too), and busy would promise that nothing was
     * done; the commands answer their own failures (busy, unknown_outcome) before it comes to this.
     */
    @Provider
    public static class FallbackMapper implements ExceptionMapper<Throwable> {
        @jakarta.ws.rs.core.Context
        jakarta.ws.rs.core.Request request;

        @Override
        public Response toResponse(Throwable e) {
            ApiException answer = answerFor(e, request == null ? null : request.getMethod());
            return new ApiExceptionMapper().toResponse(answer);
        }

        /** The refusal {@code e}, met by a request of {@code method}, is answered with, logged as it deserves. */
        static ApiException answerFor(Throwable e, String method) {
            boolean read = "GET".equals(method) || "HEAD".equals(method);
            if (read && TransientFailures.isTransient(e)) {
                LOG.info(() -> "A request found the database busy (" + TransientFailures.describe(e)
                        + "); answered busy.");
                return new BusyException("The database is busy; retry later.");
            }
            LOG.log(Level.SEVERE, "Unexpected failure while answering a request", e);
            return new ApiException(500, "internal_error", "The server could not answer this request.");
        }
    }
}
