package org.osms.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Collections;
import java.util.regex.Pattern;

/**
 * Malformed content-negotiation headers are the client's mistake: {@code 400 bad_header} before anything parses
 * them. The framework and the web container would otherwise fail on them in their own ways ({@code q=abc} in
 * {@code Accept} was a 500; a malformed {@code Accept-Language} a plain-text 400 from the container).
 *
 * <p>The grammar is RFC 9110's: comma-separated lists (empty elements allowed), {@code ;name=value} parameters with
 * token or quoted-string values, and a weight {@code q} of 0 to 1 with at most three decimals.
 */
public class NegotiationHeaders extends HttpFilter {
    private static final long serialVersionUID = 1L;

    private static final String TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
    private static final String QUOTED = "\"(?:[^\"\\\\]|\\\\.)*\"";
    private static final String OWS = "[ \\t]*";
    private static final String QVALUE = "(?:0(?:\\.[0-9]{0,3})?|1(?:\\.0{0,3})?)";
    /** A parameter; a weight must be a valid qvalue (q=abc and an empty q= are what broke the framework). */
    private static final String PARAMETER = OWS + ";" + OWS + "(?:[qQ]=" + QVALUE + "(?=" + OWS + "(?:;|$))|(?![qQ]=)"
            + TOKEN + "=(?:" + TOKEN + "|" + QUOTED + "))";
    private static final String MEDIA_TYPE = TOKEN + "/" + TOKEN + "(?:" + PARAMETER + ")*";
    private static final Pattern MEDIA_RANGE = Pattern.compile(MEDIA_TYPE);
    private static final Pattern CHARSET = Pattern.compile(TOKEN + "(?:" + PARAMETER + ")*");
    private static final Pattern LANGUAGE_RANGE =
            Pattern.compile("(?:\\*|[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*)(?:" + PARAMETER + ")*");
    /** No header OSMS reads is anywhere near this long; a longer one is not worth parsing. */
    private static final int MAX_HEADER_LENGTH = 4096;

    @Override
    protected void doFilter(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws IOException, ServletException {
        String fault = fault(request);
        if (fault != null) {
            ErrorPage.write(response, 400, "bad_header", fault);
            return;
        }
        chain.doFilter(request, response);
    }

    private static String fault(HttpServletRequest request) {
        if (!allListed(request, "Accept", MEDIA_RANGE)) {
            return "The Accept header is malformed.";
        }
        if (!allListed(request, "Accept-Charset", CHARSET)) {
            return "The Accept-Charset header is malformed.";
        }
        if (!allListed(request, "Accept-Language", LANGUAGE_RANGE)) {
            return "The Accept-Language header is malformed.";
        }
        String contentType = request.getHeader("Content-Type");
        if (contentType != null && !valid(contentType.strip(), MEDIA_RANGE)) {
            return "The Content-Type header is malformed.";
        }
        return null;
    }

    private static boolean allListed(HttpServletRequest request, String header, Pattern element) {
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

    private static boolean valid(String value, Pattern pattern) {
        return value.length() <= MAX_HEADER_LENGTH && pattern.matcher(value).matches();
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
