package org.osms.web;

import jakarta.inject.Inject;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.function.Predicate;
import org.osms.metrics.ServerMetrics;

/**
 * Malformed content-negotiation headers are the client's mistake: {@code 400 bad_header} before anything parses
 * them. The framework and the web container would otherwise fail on them in their own ways ({@code q=abc} in
 * {@code Accept} was a 500; a malformed {@code Accept-Language} a plain-text 400 from the container).
 *
 * <p>The grammar is RFC 9110's: comma-separated lists (empty elements allowed), {@code ;name=value} parameters with
 * token or quoted-string values, and a weight {@code q} of 0 to 1 with at most three decimals ({@link HeaderGrammar}).
 */
public class NegotiationHeaders extends HttpFilter {
    private static final long serialVersionUID = 1L;

    /** No header OSMS reads is anywhere near this long; a longer one is not worth parsing. */
    private static final int MAX_HEADER_LENGTH = 4096;

    @Inject
    transient ServerMetrics metrics;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String fault = fault(request);
        if (fault != null) {
            ErrorPage.write(response, 400, "bad_header", fault);
            ErrorPage.count(metrics, 400);
            return;
        }
        chain.doFilter(request, response);
    }

    private static String fault(HttpServletRequest request) {
        if (!allListed(request, "Accept", HeaderGrammar::mediaRange)) {
            return "The Accept header is malformed.";
        }
        if (!allListed(request, "Accept-Charset", HeaderGrammar::charset)) {
            return "The Accept-Charset header is malformed.";
        }
        if (!allListed(request, "Accept-Language", HeaderGrammar::languageRange)) {
            return "The Accept-Language header is malformed.";
        }
        String contentType = request.getHeader("Content-Type");
        if (contentType != null && !valid(contentType.strip(), HeaderGrammar::mediaRange)) {
            return "The Content-Type header is malformed.";
        }
        return null;
    }

    private static boolean allListed(HttpServletRequest request, String header, Predicate<String> element) {
        for (String value : Collections.list(request.getHeaders(header))) {
            if (value.length() > MAX_HEADER_LENGTH) {
                return false;
            }
            for (String item : splitList(value)) {
                if (!item.isBlank() && !valid(item.strip(), element)) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean valid(String value, Predicate<String> grammar) {
        return value.length() <= MAX_HEADER_LENGTH && grammar.test(value);
    }

    /** Splits a header list at commas outside quoted strings. */
    static java.util.List<String> splitList(String value) {
        java.util.List<String> items = new java.util.ArrayList<>();
        StringBuilder item = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' && (i == 0 || value.charAt(i - 1) != '\\')) {
                quoted = !quoted;
            }
            if (c == ',' && !quoted) {
                items.add(item.toString());
                item.setLength(0);
            } else {
                item.append(c);
            }
        }
        items.add(item.toString());
        return items;
    }
}
