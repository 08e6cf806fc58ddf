package org.osms.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * When warm-up ends ({@link Benchmarks#warmUp}): after at least two runs, as soon as a run is at most 10% faster than
 * the one before, and after eight runs at most.
 */
class WarmUpTest {
    static List<Arguments> rates() {
        return List.of(
                // steady from the start: the two runs of the minimum
                Arguments.of(List.of(100.0, 100.0, 100.0), 2),
                // the second run slower: steady
                Arguments.of(List.of(100.0, 80.0, 500.0), 2),
                // a first run of nothing does not end warm-up on its own
                Arguments.of(List.of(0.0, 0.0, 500.0), 2),
                // 20% faster, then 8% faster: steady at the third run
                Arguments.of(List.of(100.0, 120.0, 129.6, 1000.0), 3),
                // exactly 10% faster is steady (64 and 70.4 are exact in binary: 64 * 1.1 is 70.4 to the last bit)
                Arguments.of(List.of(64.0, 70.4, 1000.0), 2),
                // a hair more than 10% is not
                Arguments.of(List.of(64.0, 70.41, 70.41, 1000.0), 3),
                // still rising by more than 10% every run: eight runs, no more
                Arguments.of(List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0), 8));
    }

    @ParameterizedTest
    @MethodSource("rates")
    void warmUpEndsWhenARunIsWithinTenPercentOfThePreviousOne(List<Double> rates, int expectedRuns)
            throws Exception {
        Iterator<Double> next = rates.iterator();
        int[] runs = {0};
        Benchmarks.warmUp("test", () -> {
            runs[0]++;
            assertTrue(next.hasNext(), "warm-up went on past " + rates);
            return next.next();
        });
        assertEquals(expectedRuns, runs[0], rates.toString());
    }
}
