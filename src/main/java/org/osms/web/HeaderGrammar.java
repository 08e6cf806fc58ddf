package org.osms.web;

/**
 * RFC 9110's grammar for the elements of the content-negotiation headers OSMS checks ({@link NegotiationHeaders}),
 * read in one pass from left to right with constant stack depth, whatever the input: regular expressions for the same
 * grammar recursed once per parameter, so a few thousand {@code ;x=y} in one header overflowed the stack (a 500).
 *
 * <ul>
 *   <li>a media range: {@code token "/" token *parameter}</li>
 *   <li>a charset: {@code token *parameter}</li>
 *   <li>a language range: {@code ("*" / 1*8ALPHA *("-" 1*8alphanum)) *parameter}</li>
 *   <li>a parameter: {@code OWS ";" OWS (weight / name "=" (token / quoted-string))}, where the weight is {@code q=}
 *       (either case) with a qvalue of 0 to 1 and at most three decimals, followed by OWS and {@code ;} or the end; any
 *       other parameter's name is not {@code q}</li>
 * </ul>
 */
final class HeaderGrammar {
    private final String text;
    private int at;

    private HeaderGrammar(String text) {
        this.text = text;
    }

    static boolean mediaRange(String text) {
        HeaderGrammar g = new HeaderGrammar(text);
        return g.token() && g.next('/') && g.token() && g.parametersToTheEnd();
    }

    static boolean charset(String text) {
        HeaderGrammar g = new HeaderGrammar(text);
        return g.token() && g.parametersToTheEnd();
    }

    static boolean languageRange(String text) {
        HeaderGrammar g = new HeaderGrammar(text);
        if (!g.next('*')) {
            if (g.run(HeaderGrammar::alpha, 8) == 0) {
                return false;
            }
            while (g.next('-')) {
                if (g.run(HeaderGrammar::alphanumeric, 8) == 0) {
                    return false;
                }
            }
        }
        return g.parametersToTheEnd();
    }

    private boolean parametersToTheEnd() {
        while (at < text.length()) {
            whitespace();
            if (!next(';')) {
                return false;
            }
            whitespace();
            if (!parameter()) {
                return false;
            }
        }
        return true;
    }

    private boolean parameter() {
        int nameStart = at;
        if (!token()) {
            return false;
        }
        boolean weight = at - nameStart == 1 && (text.charAt(nameStart) == 'q' || text.charAt(nameStart) == 'Q');
        if (!next('=')) {
            return false;
        }
        if (!weight) {
            return text.startsWith("\"", at) ? quoted() : token();
        }
        if (!qvalue()) {
            return false;
        }
        int end = at;
        whitespace();
        boolean followed = at == text.length() || text.charAt(at) == ';';
        at = end;
        return followed;
    }

    private boolean qvalue() {
        if (next('0')) {
            if (next('.')) {
                run(c -> c >= '0' && c <= '9', 3);
            }
            return true;
        }
        if (next('1')) {
            if (next('.')) {
                run(c -> c == '0', 3);
            }
            return true;
        }
        return false;
    }

    private boolean quoted() {
        at++; // the opening quote
        while (at < text.length()) {
            char c = text.charAt(at++);
            if (c == '"') {
                return true;
            }
            if (c == '\\') {
                if (at == text.length()) {
                    return false;
                }
                at++;
            }
        }
        return false;
    }

    private boolean token() {
        return run(HeaderGrammar::tokenChar, Integer.MAX_VALUE) > 0;
    }

    private void whitespace() {
        run(c -> c == ' ' || c == '\t', Integer.MAX_VALUE);
    }

    private boolean next(char c) {
        if (at < text.length() && text.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    /** Consumes up to {@code most} characters of the class; returns how many. */
    private int run(CharClass chars, int most) {
        int start = at;
        while (at < text.length() && at - start < most && chars.has(text.charAt(at))) {
            at++;
        }
        return at - start;
    }

    @FunctionalInterface
    private interface CharClass {
        boolean has(char c);
    }

    private static boolean alpha(char c) {
        return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z';
    }

    private static boolean alphanumeric(char c) {
        return alpha(c) || c >= '0' && c <= '9';
    }

    private static boolean tokenChar(char c) {
        return alphanumeric(c) || "!#$%&'*+.^_`|~-".indexOf(c) >= 0;
    }
}
