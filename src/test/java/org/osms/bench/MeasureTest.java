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

    @Test
    void exactlyTwentyPercentApartIsSteady() {
        assertTrue(Benchmarks.steady(List.of(new Benchmarks.Sample(100, 0, 0), new Benchmarks.Sample(120, 0, 0))));
        assertFalse(Benchmarks.steady(List.of(new Benchmarks.Sample(100, 0, 0),
                new Benchmarks.Sample(120.01, 0, 0))));
    }
}
