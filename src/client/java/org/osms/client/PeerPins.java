package org.osms.client;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The keys of peers, pinned on first use, per server: the file {@code known_peers} in the client's home directory
 * (0600, in a 0700 directory), one line per server URL and username with the fingerprint of the peer's key and the
 * identity that proved it, and the word {@code unconfirmed} after a key change the user has not confirmed yet. Two
 * servers never share a pin: the same name on another server is another person.
 *
 * <p>A line is replaced only after the peer's public history showed a legitimate change of key
 * ({@link PeerKeyCheck}); a file this class cannot read is refused, never silently rewritten, so no pin is lost. A
 * client that does not know the word {@code unconfirmed} refuses the file too, rather than send to a key whose change
 * nobody confirmed.
 */
public final class PeerPins {
    static final String FILE = "known_peers";
    private static final Pattern FINGERPRINT = Pattern.compile("[0-9a-f]{40}");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]{1,32}");
    private static final String UNCONFIRMED = "unconfirmed";

    private final Path home;
    private final String server;

    /**
     * A pinned key: its fingerprint (40 lowercase hex digits), the identity that proved it, and whether the user
     * confirmed it (a key pinned on first use is; one a key change brought is not, until the user says so).
     */
    public record Pin(String fingerprint, long identityId, boolean confirmed) {
        /** A confirmed pin. */
        public Pin(String fingerprint, long identityId) {
            this(fingerprint, identityId, true);
        }

        public Pin {
            if (!FINGERPRINT.matcher(Objects.requireNonNull(fingerprint, "fingerprint")).matches()) {
                throw new IllegalArgumentException("a fingerprint is 40 lowercase hex digits");
            }
            if (identityId < 1) {
                throw new IllegalArgumentException("an identity id is positive");
            }
        }
    }

    /** The pins of {@code server} (its URL as the user gives it) in {@code home}. */
    public PeerPins(Path home, String server) {
        if (server.isEmpty() || server.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("a server URL has no white space");
        }
        this.home = home;
        this.server = server;
    }

    public Path file() {
        return home.resolve(FILE);
    }

    public Optional<Pin> pinned(String username) {
        for (String[] f : lines()) {
            if (f[0].equals(server) && f[1].equals(username)) {
                return Optional.of(new Pin(f[2], Long.parseLong(f[3]), f.length == 4));
            }
        }
        return Optional.empty();
    }

    /** Pins {@code pin} for {@code username}, replacing this server's earlier pin for that name. */
    public void pin(String username, Pin pin) {
        if (!NAME.matcher(username).matches()) {
            throw new IllegalArgumentException("a canonical username is 1 to 32 lowercase letters and digits");
        }
        StringBuilder kept = new StringBuilder();
        for (String[] f : lines()) {
            if (!(f[0].equals(server) && f[1].equals(username))) {
                kept.append(String.join(" ", f)).append('\n');
            }
        }
        kept.append(server).append(' ').append(username).append(' ').append(pin.fingerprint()).append(' ')
                .append(pin.identityId()).append(pin.confirmed() ? "" : " " + UNCONFIRMED).append('\n');
        try {
            KeyStoreFiles.writePrivate(home, file(), kept.toString());
        } catch (IOException e) {
            throw new OsmsException(0, "io", "Cannot write " + file() + ": " + e.getMessage());
        }
    }

    /**
     * The user confirms the key {@code fingerprint} pinned for {@code username} after a key change (having compared
     * it with the peer, say): texts to the peer may leave again. Returns false if it was confirmed already; refuses
     * ({@code not_pinned}, {@code fingerprint_mismatch}) when that is not the key pinned, and changes nothing then.
     */
    public boolean confirm(String username, String fingerprint) {
        Pin pin = pinned(username).orElseThrow(() -> new OsmsException(0, "not_pinned", "No key is pinned for "
                + username + " on " + server + ": nothing to confirm."));
        if (!pin.fingerprint().equals(fingerprint)) {
            throw new OsmsException(0, "fingerprint_mismatch", "The key pinned for " + username + " is "
                    + pin.fingerprint() + ", not " + fingerprint + ": nothing confirmed.");
        }
        if (pin.confirmed()) {
            return false;
        }
        pin(username, new Pin(pin.fingerprint(), pin.identityId()));
        return true;
    }

    private static boolean isIdentityId(String s) {
        if (!s.matches("[0-9]{1,19}")) {
            return false;
        }
        try {
            return Long.parseLong(s) > 0;
        } catch (NumberFormatException tooLarge) {
            return false;
        }
    }

    private List<String[]> lines() {
        Path file = file();
        List<String[]> out = new ArrayList<>();
        try {
            if (!Files.exists(file)) {
                return out;
            }
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split(" ");
                if (!(f.length == 4 || f.length == 5 && f[4].equals(UNCONFIRMED)) || !NAME.matcher(f[1]).matches()
                        || !FINGERPRINT.matcher(f[2]).matches() || !isIdentityId(f[3])) {
                    throw new OsmsException(0, "bad_pins", "The pinned keys in " + file
                            + " are damaged (a line is not SERVER USERNAME FINGERPRINT IDENTITYID [unconfirmed]); "
                            + "refusing to guess. Repair or remove that line.");
                }
                out.add(f);
            }
            return out;
        } catch (IOException e) {
            throw new OsmsException(0, "io", "Cannot read " + file + ": " + e.getMessage());
        }
    }
}
