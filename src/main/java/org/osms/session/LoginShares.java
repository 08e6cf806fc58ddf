package org.osms.session;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Which logged-in conversations a login ends, so that neither one key nor many keys together can fill what everyone
 * shares (docs/protocol.md, "Conversations"): first the identity's own conversations beyond its share, least recently
 * used first; then, while the server holds more than its cap, the least recently used conversation of the identity
 * that holds the most (the newcomer counted; among equals, the one whose least recently used conversation is
 * oldest). The newcomer itself is never ended. Someone with many keys logged in many times thus displaces his own
 * conversations before anyone else's; to displace a user with one conversation he needs as many keys as the cap.
 */
final class LoginShares {
    private LoginShares() {
    }

    /** A logged-in conversation: its key in the caller's map, its identity and when it was last used. */
    record Held<K>(K key, long identity, long lastUsed) {
    }

    /** The conversations of {@code loggedIn} (which includes {@code newest}) to end, in the order to end them. */
    static <K> List<K> displaced(List<Held<K>> loggedIn, K newest, int maxPerIdentity, int maxLive) {
        Map<Long, List<Held<K>>> byIdentity = new HashMap<>();
        Map<Long, Integer> counts = new HashMap<>();
        for (Held<K> h : loggedIn) {
            counts.merge(h.identity(), 1, Integer::sum);
            if (!h.key().equals(newest)) {
                byIdentity.computeIfAbsent(h.identity(), i -> new ArrayList<>()).add(h);
            }
        }
        byIdentity.values().forEach(list -> list.sort(Comparator.comparingLong(Held::lastUsed)));
        List<K> out = new ArrayList<>();
        long own = loggedIn.stream().filter(h -> h.key().equals(newest)).findFirst()
                .map(Held::identity).orElseThrow(() -> new IllegalArgumentException("the newcomer is not listed"));
        while (counts.get(own) > maxPerIdentity && take(own, byIdentity, counts, out)) {
            // the identity's own share first
        }
        int total = loggedIn.size() - out.size();
        if (total <= maxLive) {
            return out;
        }
        PriorityQueue<Long> biggest = new PriorityQueue<>(Comparator
                .comparing((Long i) -> -counts.get(i))
                .thenComparingLong(i -> byIdentity.get(i).get(0).lastUsed()));
        byIdentity.forEach((identity, list) -> {
            if (!list.isEmpty()) {
                biggest.add(identity);
            }
        });
        while (total > maxLive && !biggest.isEmpty()) {
            long identity = biggest.poll();
            take(identity, byIdentity, counts, out);
            total--;
            if (!byIdentity.get(identity).isEmpty()) {
                biggest.add(identity);
            }
        }
        return out;
    }

    /** Ends the identity's least recently used conversation other than the newcomer; false if it has none. */
    private static <K> boolean take(long identity, Map<Long, List<Held<K>>> byIdentity, Map<Long, Integer> counts,
                                    List<K> out) {
        List<Held<K>> list = byIdentity.get(identity);
        if (list == null || list.isEmpty()) {
            return false;
        }
        out.add(list.remove(0).key());
        counts.merge(identity, -1, Integer::sum);
        return true;
    }
}
