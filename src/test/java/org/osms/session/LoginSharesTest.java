package org.osms.session;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which conversations a login ends: its identity's beyond their share, then the biggest holder's beyond the cap. */
class LoginSharesTest {
    private final List<LoginShares.Held<String>> held = new ArrayList<>();
    private long clock = 1000;

    /** A conversation of {@code identity}, used after every one added before it. */
    private String hold(String key, long identity) {
        held.add(new LoginShares.Held<>(key, identity, clock++));
        return key;
    }

    private List<String> displaced(String newest, int perIdentity, int cap) {
        return LoginShares.displaced(held, newest, perIdentity, cap);
    }

    @Test
    void nothingEndsWithinTheLimits() {
        hold("a1", 1);
        hold("a2", 1);
        hold("b1", 2);
        String n = hold("n", 3);
        assertEquals(List.of(), displaced(n, 2, 4));
    }

    @Test
    void anIdentityBeyondItsShareLosesItsLeastRecentlyUsedOnes() {
        hold("a1", 1);
        hold("a2", 1);
        hold("b1", 2);
        hold("a3", 1);
        String n = hold("a4", 1);
        assertEquals(List.of("a1", "a2"), displaced(n, 2, 100));
    }

    @Test
    void atTheCapTheIdentityHoldingTheMostLosesItsLeastRecentlyUsed() {
        hold("u1", 10);
        hold("m1", 1);
        hold("u2", 11);
        hold("m2", 1);
        hold("m3", 1);
        hold("u3", 12);
        String n = hold("n", 13);
        assertEquals(List.of("m1"), displaced(n, 8, 6), "the users with one conversation keep theirs");
    }

    @Test
    void manyKeysEachHoldingSeveralDisplaceThemselvesBeforeAnyoneElse() {
        List<String> honest = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            honest.add(hold("h" + i, 100 + i)); // the oldest conversations on the server
        }
        for (int key = 0; key < 10; key++) {
            for (int j = 0; j < 3; j++) {
                hold("x" + key + "-" + j, key);
            }
        }
        String n = hold("x0-new", 0); // the attacker logs in once more: the cap is 35
        List<String> out = displaced(n, 8, 35);
        assertEquals(1, out.size());
        assertEquals("x0-0", out.get(0), "its own key holds the most with the newcomer counted");
        held.removeIf(h -> out.contains(h.key()));
        String honestLogin = hold("h-new", 200);
        List<String> next = displaced(honestLogin, 8, 35);
        assertEquals(1, next.size());
        assertEquals(true, next.get(0).startsWith("x"), "an honest login displaces one of the many: " + next);
        assertEquals(true, honest.stream().noneMatch(next::contains));
    }

    @Test
    void amongEqualHoldersTheOneWithTheOldestConversationLoses() {
        hold("b1", 2);
        hold("a1", 1);
        hold("a2", 1);
        hold("b2", 2);
        String n = hold("n", 3);
        assertEquals(List.of("b1"), displaced(n, 8, 4));
    }

    @Test
    void bothLimitsTogetherAndTheNewcomerIsNeverEnded() {
        hold("a1", 1);
        hold("a2", 1);
        hold("b1", 2);
        String n = hold("a3", 1);
        // a holds 3 with a share of 2: a1 goes; then 3 held against a cap of 1: a2 (a holds 2) and b1 go
        assertEquals(List.of("a1", "a2", "b1"), displaced(n, 2, 1));
        held.clear();
        String alone = hold("only", 1);
        assertEquals(List.of(), displaced(alone, 1, 0), "nothing else to end: the newcomer stays");
    }
}
