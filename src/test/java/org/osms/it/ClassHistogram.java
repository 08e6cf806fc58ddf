package org.osms.it;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The live objects of another JVM on this machine, by class: {@code jcmd <pid> GC.class_histogram}, which runs a full
 * GC first, by the {@code jcmd} of the JDK that JVM runs on (the tests' own may be another). Integration tests and
 * the benchmarks read a server's heap with it.
 */
public record ClassHistogram(Map<String, Long> instances, Map<String, Long> bytes, long totalBytes) {
    /** The histogram of the JVM with this process id, now; jcmd gets two minutes. */
    public static ClassHistogram of(String pid) throws IOException, InterruptedException {
        Path jcmd = Files.readSymbolicLink(Path.of("/proc", pid, "exe")).resolveSibling("jcmd");
        Path output = Files.createTempFile("osms-histogram", ".txt");
        Process p = null;
        try {
            p = new ProcessBuilder(jcmd.toString(), pid, "GC.class_histogram").redirectErrorStream(true)
                    .redirectOutput(output.toFile()).start();
            if (!p.waitFor(2, TimeUnit.MINUTES)) {
                throw new IOException("jcmd gave no class histogram of " + pid + " within two minutes");
            }
            String out = Files.readString(output, StandardCharsets.UTF_8);
            if (p.exitValue() != 0) {
                throw new IOException("jcmd failed: " + out);
            }
            return parse(out);
        } finally {
            if (p != null) {
                p.destroyForcibly(); // ended already, unless it overran
            }
            Files.deleteIfExists(output);
        }
    }

    /** jcmd's report: a line {@code  n:  instances  bytes  class} per class, then {@code Total  instances  bytes}. */
    static ClassHistogram parse(String report) throws IOException {
        Map<String, Long> counts = new HashMap<>();
        Map<String, Long> sizes = new HashMap<>();
        long total = -1;
        for (String line : report.split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 3 && f[0].equals("Total")) {
                total = Long.parseLong(f[2]);
            } else if (f.length >= 4 && f[0].endsWith(":")) {
                counts.merge(f[3], Long.parseLong(f[1]), Long::sum);
                sizes.merge(f[3], Long.parseLong(f[2]), Long::sum);
            }
        }
        if (total < 0) {
            throw new IOException("no class histogram in jcmd's report: " + report);
        }
        return new ClassHistogram(Map.copyOf(counts), Map.copyOf(sizes), total);
    }

    /** Live instances of the classes whose names {@code named} accepts. */
    public long instances(Predicate<String> named) {
        return instances.entrySet().stream().filter(e -> named.test(e.getKey())).mapToLong(Map.Entry::getValue).sum();
    }
}
