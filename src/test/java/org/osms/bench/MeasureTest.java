package org.osms.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The timed runs of a measure ({@link Benchmarks#measure}): taken until the last three are within 20% of each other,
 * so that a server still getting faster after warm-up is not measured in passing, and marked unsteady when they never
 * are.
 */
class MeasureTest {
    /** Two warm-up runs (steady), then the timed runs; what the measure kept and how many runs it took in all. */
    private static Benchmarks.Measure measure(List<Double> rates, int[] runs) throws Exception {
        Iterator<Double> next = rates.iterator();
        return Benchmarks.measure("test", () -> {
            runs[0]++;
            assertTrue(next.hasNext(), "went on past " + rates);
            return new Benchmarks.Sample(next.next(), 1, 2);
        });
    }

    private static List<Double> rates(Benchmarks.Measure m) {
        return m.samples().stream().map(Benchmarks.Sample::perSecond).toList();
    }

    @Test
    void threeSteadyRunsAreTheMeasure() throws Exception {
        int[] runs = {0};
        Benchmarks.Measure m = measure(List.of(100.0, 100.0, 110.0, 100.0, 120.0, 999.0), runs);
        assertEquals(List.of(110.0, 100.0, 120.0), rates(m));
        assertTrue(m.steady());
        assertEquals(5, runs[0]);
    }

    /** The server of 2026-12-07 at 16 connections: 5.5k, 8.6k, 11.7k requests/s after warm-up ended. */
    @Test
    void runsStillRisingAreDroppedUntilTheLastThreeAreSteady() throws Exception {
        int[] runs = {0};
        Benchmarks.Measure m = measure(List.of(4406.0, 4757.0, 5508.0, 8612.0, 11712.0, 15000.0, 15800.0, 16100.0,
                999.0), runs);
        assertEquals(List.of(15000.0, 15800.0, 16100.0), rates(m));
        assertTrue(m.steady());
        assertEquals(16100.0, m.highest());
        assertEquals(8, runs[0]);
    }

    @Test
    void runsThatNeverSettleStopAfterFiveMoreAndAreMarkedUnsteady() throws Exception {
        int[] runs = {0};
        Benchmarks.Measure m = measure(List.of(100.0, 100.0, 100.0, 200.0, 100.0, 200.0, 100.0, 200.0, 100.0, 200.0,
                999.0), runs);
        assertEquals(List.of(200.0, 100.0, 200.0), rates(m));
        assertFalse(m.steady());
        assertEquals(10, runs[0], "two warm-up runs, three timed runs and five more");
    }

    /**
     * The fresh server of 2026-12-08: {@code GET /pk} measured alone held 4,895–5,440 requests a second for three
     * steady runs, kept as its measure (a ratio of 1.94 against the lookup measured a minute later). In turn, run by
     * run, those three runs are not kept while the other measure, taken between them, was still rising; both windows
     * come from the same pairs of runs, once both are steady. Within a timed pair the order alternates, so that a
     * server still getting faster favours neither.
     */
    @Test
    void twoMeasuresInTurnRunByRunAndKeepTheSamePairsOnceBothAreSteady() throws Exception {
        List<String> order = new java.util.ArrayList<>();
        Iterator<Double> pk = List.of(1800.0, 4498.0, 4559.0, 4895.0, 5105.0, 5440.0, 12000.0, 12500.0, 12300.0,
                999.0).iterator();
        Iterator<Double> user = List.of(1500.0, 3400.0, 3500.0, 3600.0, 3700.0, 9900.0, 9500.0, 9800.0, 9700.0,
                999.0).iterator();
        List<Benchmarks.Measure> m = Benchmarks.inTurn("pk", () -> {
            order.add("pk");
            return new Benchmarks.Sample(pk.next(), 1, 2);
        }, "user", () -> {
            order.add("user");
            return new Benchmarks.Sample(user.next(), 1, 2);
        });
        assertEquals(List.of(12000.0, 12500.0, 12300.0), rates(m.get(0)));
        assertEquals(List.of(9500.0, 9800.0, 9700.0), rates(m.get(1)));
        assertTrue(m.get(0).steady());
        assertTrue(m.get(1).steady());
        assertEquals(List.of("pk", "user", "pk", "user", "pk", "user", // three warm-up pairs
                        "pk", "user", "user", "pk", "pk", "user",      // six timed pairs, the order alternating
                        "user", "pk", "pk", "user", "user", "pk"), order, "always in turn, and nothing more");
    }

    /**
     * Warm-up goes by the two rates added: here 2,000, 3,050, 4,050, 4,150, four pairs, where A alone would have
     * stopped after two and B alone after three. Then eight timed pairs, the most there are: A's window is its last
     * three runs, B's never steady.
     */
    @Test
    void twoMeasuresInTurnThatNeverSettleAreMarkedUnsteadyEachByItsOwnLastRuns() throws Exception {
        Iterator<Double> a = List.of(1000.0, 1050.0, 2000.0, 2050.0,
                100.0, 101.0, 102.0, 103.0, 104.0, 105.0, 106.0, 107.0, 999.0).iterator();
        Iterator<Double> b = List.of(1000.0, 2000.0, 2050.0, 2100.0,
                100.0, 200.0, 100.0, 200.0, 100.0, 200.0, 100.0, 200.0, 999.0).iterator();
        List<Benchmarks.Measure> m = Benchmarks.inTurn("a", () -> new Benchmarks.Sample(a.next(), 1, 2), "b",
                () -> new Benchmarks.Sample(b.next(), 1, 2));
        assertEquals(List.of(105.0, 106.0, 107.0), rates(m.get(0)));
        assertTrue(m.get(0).steady(), "steady itself");
        assertEquals(List.of(200.0, 100.0, 200.0), rates(m.get(1)));
        assertFalse(m.get(1).steady());
        assertEquals(999.0, a.next(), "four warm-up runs and eight timed runs of each, no more");
        assertEquals(999.0, b.next());
    }

    @Test
    void exactlyTwentyPercentApartIsSteady() {
        assertTrue(Benchmarks.steady(List.of(new Benchmarks.Sample(100, 0, 0), new Benchmarks.Sample(120, 0, 0))));
        assertFalse(Benchmarks.steady(List.of(new Benchmarks.Sample(100, 0, 0),
                new Benchmarks.Sample(120.01, 0, 0))));
    }
}
