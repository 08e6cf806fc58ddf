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
        chain.doFilter(withCanonicalAccept(request), response);
    }

    /** {@code request} itself when it has one Accept header, canonical already (or none), as it nearly always has. */
    private static HttpServletRequest withCanonicalAccept(HttpServletRequest request) {
        java.util.List<String> values = Collections.list(request.getHeaders("Accept"));
        if (values.isEmpty()) {
            return request;
        }
        CanonicalAccept canonical = new CanonicalAccept(request);
        return values.size() == 1 && values.get(0).equals(canonical.accept) ? request : canonical;
    }

    /**
     * The request with its {@code Accept} header as the framework can read it. RESTEasy splits the header at every
     * comma and parses each piece on its own: an empty list element ({@code a/b, , c/d}) or a comma in a quoted
     * parameter ({@code a/b;x="1,2"}), both well formed, made it refuse the request with a warning and a stack trace
     * in the log. The header is presented as its non-empty media ranges, each with its weight and no other parameter
     * (OSMS's representations have none, so none of them changes which one is chosen); only blank elements make no
     * header at all.
     */
    private static final class CanonicalAccept extends jakarta.servlet.http.HttpServletRequestWrapper {
        private final String accept;

        CanonicalAccept(HttpServletRequest request) {
            super(request);
            this.accept = canonicalAccept(Collections.list(request.getHeaders("Accept")));
        }

        @Override
        public String getHeader(String name) {
            return "Accept".equalsIgnoreCase(name) ? accept : super.getHeader(name);
        }

        @Override
        public java.util.Enumeration<String> getHeaders(String name) {
            if (!"Accept".equalsIgnoreCase(name)) {
                return super.getHeaders(name);
            }
            return Collections.enumeration(accept == null ? java.util.List.of() : java.util.List.of(accept));
        }

        @Override
        public java.util.Enumeration<String> getHeaderNames() {
            java.util.List<String> names = Collections.list(super.getHeaderNames());
            if (accept == null) {
                names.removeIf("Accept"::equalsIgnoreCase);
            }
            return Collections.enumeration(names);
        }
    }

    /**
     * {@code Accept} values (already found well formed) as one list of media ranges with their weights only, or null
     * when they hold no media range.
     */
    static String canonicalAccept(java.util.List<String> values) {
        java.util.StringJoiner ranges = new java.util.StringJoiner(", ");
        for (String value : values) {
            for (String item : splitList(value)) {
                if (item.isBlank()) {
                    continue;
                }
                java.util.List<String> parts = split(item, ';');
                StringBuilder range = new StringBuilder(parts.get(0).strip());
                for (String parameter : parts.subList(1, parts.size())) {
                    String p = parameter.strip();
                    if (p.length() > 2 && (p.charAt(0) == 'q' || p.charAt(0) == 'Q') && p.charAt(1) == '=') {
                        range.append(";q=").append(p.substring(2));
                    }
                }
                ranges.add(range);
            }
        }
        return ranges.length() == 0 ? null : ranges.toString();
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
        return split(value, ',');
    }

    /**
     * Splits {@code value} at each {@code separator} outside quoted strings; inside one, a backslash quotes the
     * character after it (RFC 9110's quoted-pair), so {@code "\\"} is a whole quoted string and {@code "\""} too.
     */
    private static java.util.List<String> split(String value, char separator) {
        java.util.List<String> items = new java.util.ArrayList<>();
        StringBuilder item = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (quoted && c == '\\' && i + 1 < value.length()) {
                item.append(c).append(value.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == separator && !quoted) {
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
