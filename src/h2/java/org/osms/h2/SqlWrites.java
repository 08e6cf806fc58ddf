package org.osms.h2;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether a statement may change the database, from its text: only a plain query ({@code SELECT}, {@code VALUES},
 * {@code TABLE}, {@code EXPLAIN}, {@code SHOW}) without {@code FOR UPDATE} counts as a read. Anything else, including
 * text this cannot read (a {@code WITH}, a {@code CALL}, a {@code SET}), counts as a write: a read taken for a write
 * could let two transactions write at once, a write taken for a read only makes one wait.
 */
final class SqlWrites {
    private static final Pattern FOR_UPDATE = Pattern.compile("\\bFOR\\s+UPDATE\\b");
    private static final String[] READS = {"SELECT", "VALUES", "TABLE", "EXPLAIN", "SHOW"};

    private SqlWrites() {
    }

    static boolean writes(String sql) {
        if (sql == null) {
            return true;
        }
        String text = withoutLeadingCommentsAndParentheses(sql).toUpperCase(Locale.ROOT);
        for (String read : READS) {
            if (text.startsWith(read) && (text.length() == read.length()
                    || !Character.isLetterOrDigit(text.charAt(read.length())) && text.charAt(read.length()) != '_')) {
                return FOR_UPDATE.matcher(text).find();
            }
        }
        return true;
    }

    private static String withoutLeadingCommentsAndParentheses(String sql) {
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == '(') {
                i++;
            } else if (sql.startsWith("--", i)) {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else if (sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else {
                break;
            }
        }
        return sql.substring(i);
    }
}
