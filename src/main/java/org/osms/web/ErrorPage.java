package org.osms.web;

import jakarta.inject.Inject;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.osms.metrics.ServerMetrics;
import org.osms.protocol.ErrorDocument;

/**
 * The web container's error page (WEB-INF/web.xml): whatever the container itself refuses inside the application
 * (a header it cannot parse, a request it cuts off) leaves with OSMS's error document instead of the container's own
 * HTML or text, which echoed parts of the request. Never echoes anything of the request.
 */
public class ErrorPage extends HttpServlet {
    private static final long serialVersionUID = 1L;
    static final String PATH = "/osms-error";

    @Inject
    transient ServerMetrics metrics;

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        if (!(status instanceof Integer code) || code < 400) {
            // requested directly: there is no such endpoint
            write(response, 404, codeFor(404), "Not Found.");
            count(metrics, 404);
            return;
        }
        write(response, code, codeFor(code), code >= 500 ? "The server could not answer this request." : reason(code));
        count(metrics, code);
    }

    /**
     * Counts an answer given before any endpoint ({@link ServerMetrics#REFUSED_EARLY}), after it was written: a
     * failure to count (the application stopping, say) must never turn the answer into another.
     */
    static void count(ServerMetrics metrics, int status) {
        try {
            metrics.response(ServerMetrics.REFUSED_EARLY, status);
        } catch (RuntimeException notCounted) {
            // the answer is what matters; the count is lost
        }
    }

    /** Writes one error document as the whole answer. */
    static void write(HttpServletResponse response, int status, String code, String message) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        response.resetBuffer();
        response.setStatus(status);
        response.setContentType("application/json");
        response.setCharacterEncoding("UTF-8");
        byte[] body = JsonRepresentation.jsonb().toJson(new ErrorDocument(code, message))
                .getBytes(StandardCharsets.UTF_8);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
    }

    /** The error code of a status the framework or the container chose. */
    static String codeFor(int status) {
        return switch (status) {
            case 404 -> "not_found";
            case 405 -> "method_not_allowed";
            case 406 -> "not_acceptable";
            case 408 -> "request_timeout";
            case 413 -> "too_large";
            case 415 -> "unsupported_media_type";
            case 503 -> "busy";
            default -> status >= 500 ? "internal_error" : "bad_request";
        };
    }

    static String reason(int status) {
        jakarta.ws.rs.core.Response.Status known = jakarta.ws.rs.core.Response.Status.fromStatusCode(status);
        return known == null ? "Request rejected." : known.getReasonPhrase() + ".";
    }
}
