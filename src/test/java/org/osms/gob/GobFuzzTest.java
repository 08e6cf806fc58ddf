package org.osms.gob;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A fixed number of malformed streams: mutations of valid streams (bit flips, truncation, inflated lengths and
 * counts, spliced and random bytes), from a fixed seed, so every run decodes the same inputs however loaded the
 * machine is. The decoder may only ever answer with a value or a GobException; the overall timeout catches a decoder
 * that loops.
 */
class GobFuzzTest {
    /** A few seconds on an idle machine; more than the earlier fifteen-second budget reached under load. */
    private static final int INPUTS = 200_000;
    private static final Duration LOOP_GUARD = Duration.ofSeconds(180);

    @Test
    void malformedStreamsOnlyEverRaiseGobException() {
        Random r = new Random(0x05a5L);
        List<Object> seeds = new ArrayList<>();
        for (String name : GobSamples.VECTORS) {
            seeds.add(GobSamples.vector(name));
        }
        long[] refused = {0};
        assertTimeoutPreemptively(LOOP_GUARD, () -> {
            for (int i = 0; i < INPUTS; i++) {
                Object seed = seeds.get(r.nextInt(seeds.size()));
                byte[] stream = mutate(GobEncoder.encode(seed), r);
                try {
                    GobBinding.decode(stream, seed.getClass(), GobLimits.DEFAULT);
                } catch (GobException expected) {
                    refused[0]++; // the only acceptable failure
                } catch (Throwable other) {
                    fail("input " + i + " " + Arrays.toString(stream) + " raised " + other);
                }
            }
        });
        // Both outcomes occur, or the mutations stopped reaching the decoder's checks (or stopped mutating).
        assertTrue(refused[0] > INPUTS / 10, refused[0] + " of " + INPUTS + " refused");
        assertTrue(refused[0] < INPUTS, "some mutations still decode");
    }

    static byte[] mutate(byte[] valid, Random r) {
        byte[] b = valid.clone();
        switch (r.nextInt(7)) {
            case 0 -> { // flip bits
                for (int i = 0, n = 1 + r.nextInt(4); i < n; i++) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> b = Arrays.copyOf(b, r.nextInt(b.length)); // truncate
            case 2 -> b[r.nextInt(b.length)] = (byte) (0xf8 + r.nextInt(8)); // inflate a length or count
            case 3 -> { // random bytes
                b = new byte[r.nextInt(64)];
                r.nextBytes(b);
            }
            case 4 -> { // splice a piece of the stream into itself
                int from = r.nextInt(b.length);
                int to = r.nextInt(b.length);
                int len = Math.min(r.nextInt(16), Math.min(b.length - from, b.length - to));
                System.arraycopy(valid, from, b, to, len);
            }
            case 5 -> { // huge counts: 8-byte uint all ones
                int at = r.nextInt(b.length);
                byte[] big = {(byte) 0xf8, -1, -1, -1, -1, -1, -1, -1, (byte) 0x7f};
                byte[] out = new byte[b.length + big.length];
                System.arraycopy(b, 0, out, 0, at);
                System.arraycopy(big, 0, out, at, big.length);
                System.arraycopy(b, at, out, at + big.length, b.length - at);
                b = out;
            }
            default -> { // duplicate the stream (types defined twice)
                byte[] out = Arrays.copyOf(b, b.length * 2);
                System.arraycopy(b, 0, out, b.length, b.length);
                b = out;
            }
        }
        return b;
    }
}
