package org.osms.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Reading wrk's report: the rate and latencies of a clean run, and no figure at all from a run with failures. */
class WrkTest {
    /** A report of wrk 4.1.0 (Debian's) with {@code --latency}, as it printed it against a benchmark server. */
    private static final String CLEAN = """
            Running 2s test @ http://127.0.0.1:9190/pk
              2 threads and 16 connections
              Thread Stats   Avg      Stdev     Max   +/- Stdev
                Latency   845.12us    1.02ms  25.33ms   92.50%
                Req/Sec     9.35k     1.10k   11.20k    71.25%
              Latency Distribution
                 50%  612.00us
                 75%    0.92ms
                 90%    1.51ms
                 99%    4.20ms
              37164 requests in 2.00s, 9.25MB read
            Requests/sec:  18581.77
            Transfer/sec:      4.63MB
            """;

    @Test
    void aCleanRunGivesItsRateAndItsMedianAndNinetyNinthPercentileInMilliseconds() {
        Benchmarks.Sample s = Wrk.parse(CLEAN);
        assertEquals(18581.77, s.perSecond(), 1e-9);
        assertEquals(0.612, s.p50Millis(), 1e-9);
        assertEquals(4.20, s.p99Millis(), 1e-9);
    }

    @Test
    void latenciesInSecondsAreConverted() {
        Benchmarks.Sample s = Wrk.parse(CLEAN.replace("     99%    4.20ms", "     99%    1.25s"));
        assertEquals(1250.0, s.p99Millis(), 1e-9);
    }

    @Test
    void aRunWithAnyResponseOtherThan2xxOr3xxIsRefused() {
        String refused = CLEAN.replace("Requests/sec:", "  Non-2xx or 3xx responses: 1\nRequests/sec:");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Wrk.parse(refused));
        assertTrue(e.getMessage().startsWith("1 responses were not 2xx or 3xx"), e.getMessage());
    }

    @Test
    void aRunWithAnyFailedSocketIsRefused() {
        for (String errors : new String[] {"connect 1, read 0, write 0, timeout 0", "connect 0, read 2, write 0, timeout 0",
                "connect 0, read 0, write 3, timeout 0", "connect 0, read 0, write 0, timeout 4"}) {
            String failed = CLEAN.replace("Requests/sec:", "  Socket errors: " + errors + "\nRequests/sec:");
            assertThrows(IllegalStateException.class, () -> Wrk.parse(failed), errors);
        }
        // the same line with no failure in it is a clean run
        assertEquals(18581.77, Wrk.parse(CLEAN.replace("Requests/sec:",
                "  Socket errors: connect 0, read 0, write 0, timeout 0\nRequests/sec:")).perSecond(), 1e-9);
    }

    @Test
    void aRunWithNoAnsweredRequestOrNoLatencyDistributionIsRefused() {
        assertThrows(IllegalStateException.class, () -> Wrk.parse(CLEAN.replace("37164 requests", "0 requests")));
        assertThrows(IllegalStateException.class, () -> Wrk.parse(CLEAN.replace("     99%    4.20ms\n", "")));
        assertThrows(IllegalStateException.class, () -> Wrk.parse(CLEAN.replace("Requests/sec:", "Requests:")));
    }
}
