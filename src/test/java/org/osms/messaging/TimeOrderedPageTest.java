package org.osms.messaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.osms.protocol.JsonDocuments.JSON;

import jakarta.json.JsonValue;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TimeOrderedPageTest {
    /** A list held in memory, in order of time and then of insertion, as the database orders a list's rows. */
    private static final class Listed implements TimeOrderedPage.Source {
        final List<TimeOrderedPage.Entry> entries = new ArrayList<>();
        int queries;

        Listed add(long time, int id, int padding) {
            entries.add(new TimeOrderedPage.Entry(time, JSON.createObjectBuilder().add("id", id).add("at", time)
                    .add("pad", "x".repeat(padding)).build()));
            entries.sort((a, b) -> Long.compare(a.time(), b.time()));
            return this;
        }

        @Override
        public List<TimeOrderedPage.Entry> after(long time, int limit) {
            queries++;
            return entries.stream().filter(e -> e.time() > time).limit(limit).toList();
        }

        @Override
        public List<TimeOrderedPage.Entry> at(long time) {
            queries++;
            return entries.stream().filter(e -> e.time() == time).toList();
        }
    }

    private static List<Integer> ids(TimeOrderedPage.Page page) {
        return page.entries().getValuesAs(jakarta.json.JsonObject.class).stream().map(o -> o.getInt("id")).toList();
    }

    private static TimeOrderedPage.Page read(Listed list, long after) {
        return TimeOrderedPage.read(list, after, new ReplyBudget(FetchPage.REPLY_BUDGET), true);
    }

    @Test
    void aShortListIsOnePageWithoutACursor() {
        Listed list = new Listed().add(10, 1, 0).add(20, 2, 0).add(30, 3, 0);
        TimeOrderedPage.Page page = read(list, 0);
        assertEquals(List.of(1, 2, 3), ids(page));
        assertEquals(OptionalLong.empty(), page.nextAfter());
        assertEquals(List.of(3), ids(read(list, 20)), "after a time: only what is later");
        TimeOrderedPage.Page past = read(list, Long.MAX_VALUE);
        assertEquals(List.of(), ids(past));
        assertEquals(OptionalLong.empty(), past.nextAfter());
        assertEquals(OptionalLong.empty(), read(new Listed(), 0).nextAfter());
    }

    @Test
    void aPageHoldsAtMostTwoHundredEntriesAndItsCursorIsTheLastTimeShown() {
        Listed list = new Listed();
        for (int i = 1; i <= 450; i++) {
            list.add(1_000L + i, i, 0);
        }
        TimeOrderedPage.Page first = read(list, 0);
        assertEquals(200, first.entries().size());
        assertEquals(OptionalLong.of(1_200L), first.nextAfter());
        TimeOrderedPage.Page second = read(list, 1_200L);
        assertEquals(201, ids(second).get(0));
        assertEquals(OptionalLong.of(1_400L), second.nextAfter());
        TimeOrderedPage.Page last = read(list, 1_400L);
        assertEquals(50, last.entries().size());
        assertEquals(OptionalLong.empty(), last.nextAfter());
    }

    @Test
    void aPageEndsWhereTheReplysRoomEndsAndStaysWithinIt() {
        Listed list = new Listed();
        for (int i = 1; i <= 100; i++) {
            list.add(i, i, 1_000);
        }
        TimeOrderedPage.Page first = read(list, 0);
        int shown = first.entries().size();
        assertTrue(shown > 30 && shown < 45, "entries of about 1,030 characters in a room of 45,000: " + shown);
        assertTrue(first.entries().toString().length() <= FetchPage.REPLY_BUDGET);
        assertEquals(OptionalLong.of(shown), first.nextAfter());
    }

    @Test
    void entriesOfOneTimeAreNeverSplitBetweenPages() {
        Listed list = new Listed();
        for (int i = 1; i <= 199; i++) {
            list.add(i, i, 0);
        }
        // three entries of one time where the count would cut: 199, then 200–202 at time 500
        list.add(500, 200, 0).add(500, 201, 0).add(500, 202, 0).add(600, 203, 0);
        TimeOrderedPage.Page first = read(list, 0);
        assertEquals(199, first.entries().size(), "the page ends before the time it could not hold whole");
        assertEquals(OptionalLong.of(199), first.nextAfter());
        TimeOrderedPage.Page second = read(list, 199);
        assertEquals(List.of(200, 201, 202, 203), ids(second));
        assertEquals(OptionalLong.empty(), second.nextAfter());
    }

    @Test
    void aFirstTimeLargerThanTheRoomIsShownWholeSoThatReadingAdvances() {
        Listed list = new Listed();
        for (int i = 1; i <= 230; i++) {
            list.add(42, i, 0); // more entries of one millisecond than a page holds
        }
        list.add(43, 231, 0);
        TimeOrderedPage.Page first = read(list, 0);
        assertEquals(230, first.entries().size());
        assertEquals(OptionalLong.of(42), first.nextAfter());
        assertEquals(List.of(231), ids(read(list, 42)));

        Listed alone = new Listed();
        for (int i = 1; i <= 230; i++) {
            alone.add(42, i, 0);
        }
        TimeOrderedPage.Page whole = read(alone, 0);
        assertEquals(230, whole.entries().size());
        assertEquals(OptionalLong.empty(), whole.nextAfter(), "nothing after the one time");
    }

    @Test
    void withoutRoomAPartThatNeedNotAdvanceShowsNothingAndKeepsItsCursor() {
        Listed list = new Listed().add(10, 1, 100).add(20, 2, 0);
        ReplyBudget full = new ReplyBudget(FetchPage.REPLY_BUDGET);
        full.take(JSON.createValue("y".repeat(FetchPage.REPLY_BUDGET - 100)));
        TimeOrderedPage.Page page = TimeOrderedPage.read(list, 5, full, false);
        assertEquals(List.of(), ids(page));
        assertEquals(OptionalLong.of(5), page.nextAfter());
        assertFalse(page.showsAny());

        ReplyBudget alsoFull = new ReplyBudget(FetchPage.REPLY_BUDGET);
        alsoFull.take(JSON.createValue("y".repeat(FetchPage.REPLY_BUDGET - 100)));
        TimeOrderedPage.Page forced = TimeOrderedPage.read(list, 5, alsoFull, true);
        assertEquals(List.of(1), ids(forced), "the part that must advance shows its next time, room or not");
        assertEquals(OptionalLong.of(10), forced.nextAfter());
    }

    @Test
    void theEntriesShownAreTakenFromTheBudget() {
        Listed list = new Listed().add(10, 1, 20_000);
        ReplyBudget budget = new ReplyBudget(FetchPage.REPLY_BUDGET);
        TimeOrderedPage.read(list, 0, budget, true);
        assertFalse(budget.fits(JSON.createValue("z".repeat(25_000))), "20,000 characters of the room are used");
        assertTrue(budget.fits(JSON.createValue("z".repeat(24_000))));
    }

    /**
     * Random lists (random sizes, many ties), read page after page while entries are removed in between, as
     * {@code unblock} does: every entry still listed is read exactly once, in order, and every page but one whose
     * first time alone exceeds the room stays within it.
     */
    @Test
    void followingTheCursorsReadsEveryEntryOnceInOrderAlsoWhileEntriesAreRemoved() {
        Random random = new Random(11);
        for (int round = 0; round < 200; round++) {
            Listed list = new Listed();
            int n = random.nextInt(800);
            long time = 1;
            for (int i = 0; i < n; i++) {
                time += random.nextInt(4) == 0 ? 0 : 1 + random.nextInt(3);
                list.add(time, i, random.nextInt(10) == 0 ? random.nextInt(3_000) : random.nextInt(60));
            }
            List<JsonValue> expected = new ArrayList<>();
            List<JsonValue> read = new ArrayList<>();
            long after = 0;
            int pages = 0;
            while (true) {
                TimeOrderedPage.Page page = read(list, after);
                pages++;
                read.addAll(page.entries());
                long firstTime = page.entries().isEmpty() ? 0
                        : page.entries().getJsonObject(0).getJsonNumber("at").longValue();
                assertTrue(page.entries().toString().length() <= FetchPage.REPLY_BUDGET || page.entries()
                        .getValuesAs(jakarta.json.JsonObject.class).stream()
                        .allMatch(o -> o.getJsonNumber("at").longValue() == firstTime), "a page within the room");
                if (page.nextAfter().isEmpty()) {
                    break;
                }
                assertTrue(page.nextAfter().getAsLong() > after, "every page advances");
                after = page.nextAfter().getAsLong();
                if (!list.entries.isEmpty() && random.nextBoolean()) {
                    list.entries.remove(random.nextInt(list.entries.size())); // removed, read or not yet
                }
                assertTrue(pages < 1_000);
            }
            for (JsonValue v : read) {
                if (list.entries.stream().anyMatch(e -> e.shown().equals(v))) {
                    expected.add(v);
                }
            }
            List<JsonValue> stillListed = list.entries.stream().map(e -> (JsonValue) e.shown()).toList();
            assertEquals(stillListed, expected, "every entry still listed was read once, in order");
            assertEquals(read.size(), read.stream().distinct().count(), "no entry read twice");
        }
    }
}
