package org.osms.client;

import static org.osms.protocol.JsonDocuments.JSON;

import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Texts waiting for an end-to-end conversation to be authenticated, in the order they were written, per server and
 * peer. On disk ({@link #in}) they survive the process: the file {@code outbox} in the client's home directory, one
 * JSON object per line, replaced as a whole (written 0600 from its creation, then renamed over the old file).
 *
 * <p><b>The outbox holds plaintext</b>, protected like the key file next to it: readable by the user alone (0600 in
 * a 0700 directory), and by nobody else on the machine. A text leaves it only after the server answered {@code ok}
 * to the {@code send} that carried it. Should the process die between that answer and the rewrite of the file, the
 * text is sent once more by the next run: a crash can repeat a text, never lose one. One process at a time per
 * home directory: two clients draining the same outbox at once could each send the same text.
 */
public final class Outbox {
    static final String FILE = "outbox";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One waiting text: {@code id} is random and names it for its removal. */
    public record Entry(String id, String to, long queuedAt, String text) {
        public Entry {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(text, "text");
        }
    }

    private final Path home;
    private final String server;
    private final Clock clock;
    private final List<Entry> memory = new ArrayList<>();

    private Outbox(Path home, String server, Clock clock) {
        this.home = home;
        this.server = server;
        this.clock = clock;
    }

    /** Waiting texts kept in this object only: they end with it. */
    public static Outbox inMemory() {
        return new Outbox(null, "", Clock.systemUTC());
    }

    /** The waiting texts for {@code server} (its URL as the user gives it) in the home directory {@code home}. */
    public static Outbox in(Path home, String server) {
        return in(home, server, Clock.systemUTC());
    }

    static Outbox in(Path home, String server, Clock clock) {
        return new Outbox(Objects.requireNonNull(home, "home"), Objects.requireNonNull(server, "server"), clock);
    }

    /** The file, or null for an outbox in memory. */
    public Path file() {
        return home == null ? null : home.resolve(FILE);
    }

    /** Adds {@code text} for {@code to} after every text already waiting. */
    public Entry add(String to, String text) {
        byte[] id = new byte[16];
        RANDOM.nextBytes(id);
        Entry e = new Entry(HexFormat.of().formatHex(id), to, clock.millis(), text);
        List<Stored> all = load();
        all.add(new Stored(server, e));
        store(all);
        return e;
    }

    /** The texts waiting for {@code to}, oldest first. */
    public List<Entry> waiting(String to) {
        return all().stream().filter(e -> e.to().equals(to)).toList();
    }

    /** Every text waiting on this server, oldest first. */
    public List<Entry> all() {
        return load().stream().filter(s -> s.server().equals(server)).map(Stored::entry).toList();
    }

    /** The server accepted the {@code send} that carried {@code sent}: it waits no more. */
    public void remove(Entry sent) {
        List<Stored> all = load();
        all.removeIf(s -> s.server().equals(server) && s.entry().id().equals(sent.id()));
        store(all);
    }

    private record Stored(String server, Entry entry) {
    }

    private List<Stored> load() {
        if (home == null) {
            List<Stored> out = new ArrayList<>();
            memory.forEach(e -> out.add(new Stored(server, e)));
            return out;
        }
        Path file = file();
        List<Stored> out = new ArrayList<>();
        try {
            if (!Files.exists(file)) {
                return out;
            }
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    out.add(parse(line));
                }
            }
            return out;
        } catch (IOException e) {
            throw new OsmsException(0, "io", "Cannot read " + file + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // never echo the line: it holds a plaintext
            throw new OsmsException(0, "bad_outbox", "The queued texts in " + file + " are damaged; refusing to "
                    + "guess. Repair or remove that file.");
        }
    }

    private static Stored parse(String line) {
        try (JsonReader r = JSON.createReader(new StringReader(line))) {
            JsonObject o = r.readObject();
            return new Stored(o.getString("server"), new Entry(o.getString("id"), o.getString("to"),
                    o.getJsonNumber("queuedAt").longValueExact(), o.getString("text")));
        }
    }

    private void store(List<Stored> all) {
        if (home == null) {
            memory.clear();
            all.forEach(s -> memory.add(s.entry()));
            return;
        }
        StringBuilder text = new StringBuilder();
        for (Stored s : all) {
            text.append(JSON.createObjectBuilder().add("server", s.server()).add("id", s.entry().id())
                    .add("to", s.entry().to()).add("queuedAt", s.entry().queuedAt()).add("text", s.entry().text())
                    .build()).append('\n');
        }
        try {
            KeyStoreFiles.writePrivate(home, file(), text.toString());
        } catch (IOException e) {
            throw new OsmsException(0, "io", "Cannot write " + file() + ": " + e.getMessage());
        }
    }
}
