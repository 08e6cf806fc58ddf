package org.osms.messaging;

import static org.osms.protocol.JsonDocuments.JSON;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.persistence.EntityManager;
import jakarta.persistence.TypedQuery;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Function;

/**
 * One page of a list ordered by a time (Unix milliseconds), read after a cursor that is such a time: the block list
 * ({@code blocked}, and in {@code export}) and the usernames and keys an identity has held ({@code export}). These
 * lists have no bound but the identity's history, so none of them may be sent whole in one reply (docs/protocol.md,
 * "export"). A page ends where its count or the reply's room ends, but never between two entries of the same time:
 * the next page reads after the last time shown, so it neither repeats nor skips an entry, also when entries are
 * removed between pages.
 */
final class TimeOrderedPage {
    /** Entries of one page at most. */
    static final int MAX_ENTRIES = 200;

    /** An entry of the list: its time and how the reply shows it. */
    record Entry(long time, JsonObject shown) {
    }

    /** The list, read in order of time (ties in a fixed order of their own). */
    interface Source {
        /** The first {@code limit} entries after {@code time}. */
        List<Entry> after(long time, int limit);

        /** Every entry of exactly {@code time}: a handful at most, from commands of one identity in one millisecond. */
        List<Entry> at(long time);
    }

    /**
     * A list read with JPQL: {@code select} up to its {@code WHERE} clause's own conditions, to which the condition on
     * {@code time} (a member of the selected rows) is added, then {@code order}; {@code parameters} binds what
     * {@code select} names, and {@code entry} makes each row an entry.
     */
    static Source of(EntityManager em, String select, String time, String order,
            Function<TypedQuery<Object[]>, TypedQuery<Object[]>> parameters, Function<Object[], Entry> entry) {
        return new Source() {
            @Override
            public List<Entry> after(long t, int limit) {
                return read(select + " AND " + time + " > :t " + order, t, limit);
            }

            @Override
            public List<Entry> at(long t) {
                return read(select + " AND " + time + " = :t " + order, t, Integer.MAX_VALUE);
            }

            private List<Entry> read(String query, long t, int limit) {
                return parameters.apply(em.createQuery(query, Object[].class)).setParameter("t", t)
                        .setMaxResults(limit).getResultList().stream().map(entry).toList();
            }
        };
    }

    /** The entries shown, and the cursor of the next page when more are left ({@code after} itself when none fit). */
    record Page(JsonArray entries, OptionalLong nextAfter) {
        boolean showsAny() {
            return !entries.isEmpty();
        }
    }

    private TimeOrderedPage() {
    }

    /**
     * The page after {@code after}, as much of it as {@code budget} has room for; the entries shown are taken from it.
     * With {@code atLeastOne}, a list with entries left shows at least those of its next time, room or not, so that
     * every reading makes progress; without it, a list with no room shows nothing and its cursor stays {@code after}.
     */
    static Page read(Source source, long after, ReplyBudget budget, boolean atLeastOne) {
        List<Entry> rows = source.after(after, MAX_ENTRIES + 1);
        int n = 0;
        long used = 0;
        while (n < rows.size() && n < MAX_ENTRIES) {
            long cost = rows.get(n).shown().toString().length() + 1;
            if (!budget.fits(used + cost) && !(atLeastOne && n == 0)) {
                break;
            }
            used += cost;
            n++;
        }
        List<Entry> shown;
        boolean more;
        if (n == rows.size()) {
            shown = rows;
            more = false;
        } else {
            int end = n;
            while (end > 0 && rows.get(end).time() == rows.get(end - 1).time()) {
                end--; // never split one time's entries between two pages
            }
            if (end > 0 || !atLeastOne) {
                shown = rows.subList(0, end);
                more = true;
            } else {
                long first = rows.get(0).time();
                shown = source.at(first); // the first time alone is more than the room: all of it
                more = !source.after(first, 1).isEmpty();
            }
        }
        JsonArrayBuilder entries = JSON.createArrayBuilder();
        shown.forEach(e -> entries.add(e.shown()));
        JsonArray page = budget.take(entries.build());
        if (!more) {
            return new Page(page, OptionalLong.empty());
        }
        return new Page(page, OptionalLong.of(shown.isEmpty() ? after : shown.get(shown.size() - 1).time()));
    }
}
