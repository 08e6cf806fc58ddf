package org.osms.onion;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A Tor network of its own on 127.0.0.1, built with Debian's tor and tor-gencert the way chutney builds its test
 * networks: {@code TestingTorNetwork 1}, three directory authorities that are also relays, two more relays, short
 * voting intervals, and a client tor with a SOCKS port. The OSMS onion service joins it through liberty/tor/osms-onion
 * with {@link #networkConfig()} as OSMS_TOR_EXTRA_CONFIG. Every port is a free one picked at start, so parallel runs
 * never meet; every tor also watches this JVM ({@code __OwningControllerProcess}) and exits with it, so none outlives
 * the test even if {@link #close()} is never reached.
 */
final class PrivateTorNetwork implements AutoCloseable {
    private static final int AUTHORITIES = 3;
    private static final int RELAYS = 2;

    private final Path dir;
    private final List<Process> processes = new ArrayList<>();
    private final List<Path> logs = new ArrayList<>();
    private final int socksPort;

    private PrivateTorNetwork(Path dir, int socksPort) {
        this.dir = dir;
        this.socksPort = socksPort;
    }

    /** Creates the authorities' keys and starts the five relays and the client; returns at once (tor bootstraps). */
    static PrivateTorNetwork start(Path dir) throws IOException, InterruptedException {
        int[] ports = freePorts(2 * AUTHORITIES + RELAYS + 1);
        PrivateTorNetwork network = new PrivateTorNetwork(dir, ports[ports.length - 1]);
        try {
            StringBuilder authorities = new StringBuilder();
            for (int i = 0; i < AUTHORITIES; i++) {
                authorities.append(network.authority("auth" + i, ports[i], ports[AUTHORITIES + i]));
            }
            Files.writeString(network.networkConfig(), common(authorities.toString()));
            for (int i = 0; i < AUTHORITIES + RELAYS; i++) {
                String name = i < AUTHORITIES ? "auth" + i : "relay" + i;
                String relay = "Nickname " + name + "\nSocksPort 0\nAddress 127.0.0.1\nORPort 127.0.0.1:"
                        + ports[i < AUTHORITIES ? i : AUTHORITIES + i] + "\nExitRelay 0\n"
                        + "ContactInfo relay@osms.invalid\n";
                if (i < AUTHORITIES) {
                    relay += "DirPort 127.0.0.1:" + ports[AUTHORITIES + i] + "\n"
                            + "AuthoritativeDirectory 1\nV3AuthoritativeDirectory 1\n"
                            // a consensus every 10 s; the first one after 5 s (chutney's fast timings)
                            + "TestingV3AuthInitialVotingInterval 5\nV3AuthVotingInterval 10\n"
                            + "TestingV3AuthInitialVoteDelay 2\nV3AuthVoteDelay 2\n"
                            + "TestingV3AuthInitialDistDelay 2\nV3AuthDistDelay 2\n";
                }
                network.tor(name, relay);
            }
            network.tor("client", "SocksPort 127.0.0.1:" + network.socksPort + " ExtendedErrors\n");
            return network;
        } catch (IOException | InterruptedException | RuntimeException e) {
            network.close();
            throw e;
        }
    }

    /** What every tor of this network shares: the authorities, the testing options, the owning JVM. */
    private static String common(String authorities) {
        return "TestingTorNetwork 1\n" + authorities
                // chutney's options for a network that bootstraps in seconds: every relay may be a guard, an
                // exit and an onion service directory, reachability is assumed, fewer paths are enough
                + "AssumeReachable 1\nPathsNeededToBuildCircuits 0.67\nTestingDirAuthVoteExit *\n"
                + "TestingDirAuthVoteHSDir *\nTestingDirAuthVoteGuard *\nTestingMinExitFlagThreshold 0\n"
                + "V3AuthNIntervalsValid 2\nShutdownWaitLength 0\n"
                + "__OwningControllerProcess " + ProcessHandle.current().pid() + "\n";
    }

    /** The torrc lines that put a tor into this network (OSMS_TOR_EXTRA_CONFIG for osms-onion). */
    Path networkConfig() {
        return dir.resolve("network.torrc");
    }

    int socksPort() {
        return socksPort;
    }

    /** Keeps {@code process} (writing to {@code log}) to stop it with the network. */
    void own(Process process, Path log) {
        processes.add(process);
        logs.add(log);
    }

    /** An authority's keys (tor-gencert) and relay identity; returns its DirAuthority line. */
    private String authority(String name, int orPort, int dirPort) throws IOException, InterruptedException {
        Path data = directory(name);
        Path keys = Files.createDirectories(data.resolve("keys"));
        run(keys, "\n", "tor-gencert", "--create-identity-key", "--passphrase-fd", "0", "-m", "12",
                "-a", "127.0.0.1:" + dirPort);
        run(data, "", "tor", "--ignore-missing-torrc", "-f", "/dev/null", "--list-fingerprint",
                "--DataDirectory", data.toString(), "--ORPort", String.valueOf(orPort));
        String v3ident = Files.readAllLines(keys.resolve("authority_certificate")).stream()
                .filter(l -> l.startsWith("fingerprint ")).findFirst().orElseThrow().substring(12).trim();
        String fingerprint = Files.readString(data.resolve("fingerprint")).trim().split(" ")[1];
        return "DirAuthority " + name + " orport=" + orPort + " no-v2 v3ident=" + v3ident + " 127.0.0.1:" + dirPort
                + " " + fingerprint + "\n";
    }

    private void tor(String name, String config) throws IOException {
        Path data = directory(name);
        Path torrc = data.resolve("torrc");
        Files.writeString(torrc, "DataDirectory " + data + "\n" + config + "%include " + networkConfig() + "\n");
        Path log = dir.resolve(name + ".log");
        own(new ProcessBuilder("tor", "-f", torrc.toString()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start(), log);
    }

    private Path directory(String name) throws IOException {
        Path data = dir.resolve(name);
        Files.createDirectories(data);
        Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx------"));
        return data;
    }

    private static void run(Path in, String input, String... command) throws IOException, InterruptedException {
        File out = in.resolve(command[0] + ".out").toFile();
        Process p = new ProcessBuilder(command).directory(in.toFile()).redirectErrorStream(true)
                .redirectOutput(out).start();
        p.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " failed: " + Files.readString(out.toPath()));
        }
    }

    private static int[] freePorts(int count) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (int i = 0; i < count; i++) {
                sockets.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return sockets.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }

    /** The last lines of every tor's log, for a failure message. */
    String logTails(int lines) {
        StringBuilder tails = new StringBuilder();
        for (Path log : logs) {
            try {
                List<String> all = Files.readAllLines(log);
                tails.append("--- ").append(log.getFileName()).append('\n')
                        .append(String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size())))
                        .append('\n');
            } catch (IOException e) {
                tails.append("--- ").append(log.getFileName()).append(": ").append(e.getMessage()).append('\n');
            }
        }
        return tails.toString();
    }

    /** Stops every tor of the network, also those that did not start well. */
    @Override
    public void close() {
        processes.forEach(Process::destroy);
        for (Process p : processes) {
            try {
                if (!p.waitFor(15, TimeUnit.SECONDS)) {
                    p.destroyForcibly().waitFor(15, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }

    boolean noneAlive() {
        return processes.stream().noneMatch(Process::isAlive);
    }

    /** Whether every process of the network is still running. */
    boolean allAlive() {
        return processes.stream().allMatch(Process::isAlive);
    }
}
