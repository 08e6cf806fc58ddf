package org.osms.client;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.Optional;
import java.util.Properties;

/**
 * The client's files in its home directory ({@code ~/.osms} unless told otherwise), all private to the user
 * (directory 0700, files 0600): the identity key pair and the username it is registered under, the pinned
 * server keys, the pinned keys of peers ({@link PeerPins}) and the texts waiting to be sent ({@link Outbox}).
 */
public final class KeyStoreFiles {
    private final Path home;

    public KeyStoreFiles(Path home) {
        this.home = home;
    }

    public Path identityFile() {
        return home.resolve("identity.key");
    }

    /** A new OTR long-term key: DSA, 1024-bit p and 160-bit q, the size OTR version 3 implementations use. */
    public static KeyPair generate() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("DSA");
            g.initialize(1024);
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public record Identity(KeyPair key, Optional<String> username) {
    }

    public boolean hasIdentity() {
        return Files.exists(identityFile());
    }

    public Identity load() {
        return load(identityFile());
    }

    Identity load(Path file) {
        Properties p = new Properties();
        try (Reader r = new StringReader(Files.readString(file, StandardCharsets.UTF_8))) {
            p.load(r);
            KeyFactory dsa = KeyFactory.getInstance("DSA");
            KeyPair pair = new KeyPair(
                    dsa.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(p.getProperty("public")))),
                    dsa.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(p.getProperty("private")))));
            return new Identity(pair, Optional.ofNullable(p.getProperty("username")));
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new OsmsException(0, "no_key", "Cannot read the key file " + file + " (run `osms keygen` first).");
        }
    }

    public void save(Identity identity) {
        write(identityFile(), identity);
    }

    /** Where a key rotation keeps the new key until the server has taken it. */
    public Path pendingFile() {
        return home.resolve("identity.key.new");
    }

    /**
     * The key an earlier rotation left in {@link #pendingFile}, if any: a rotation that was not confirmed (the
     * server's answer was lost, say) may have completed all the same, so this key may be the one the server holds.
     */
    public Optional<Identity> pending() {
        return Files.exists(pendingFile()) ? Optional.of(load(pendingFile())) : Optional.empty();
    }

    /**
     * Writes the key next to the current one, for a key rotation that has not been confirmed yet. It replaces a
     * pending key: call it only once the server has refused that one (see {@link #pending}).
     */
    public Path savePending(Identity identity) {
        write(pendingFile(), identity);
        return pendingFile();
    }

    /**
     * The rotation was accepted: the new key becomes the identity key, the old one is kept as identity.key.old. The
     * old key is copied, not moved, so that identity.key holds one of the two keys at every moment.
     */
    public void promotePending() {
        try {
            writePrivate(home.resolve("identity.key.old"), Files.readString(identityFile(), StandardCharsets.UTF_8));
            Files.move(pendingFile(), identityFile(), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
            syncDirectory(home);
        } catch (IOException e) {
            throw new OsmsException(0, "io", "Cannot install the new key " + pendingFile() + ": " + e.getMessage()
                    + ". Do not delete it: the server holds it now; move it to " + identityFile() + " yourself.");
        }
    }

    private void write(Path file, Identity identity) {
        Properties p = new Properties();
        p.setProperty("public", Base64.getEncoder().encodeToString(identity.key().getPublic().getEncoded()));
        p.setProperty("private", Base64.getEncoder().encodeToString(identity.key().getPrivate().getEncoded()));
        identity.username().ifPresent(u -> p.setProperty("username", u));
        StringWriter text = new StringWriter();
        try {
            p.store(text, "OSMS identity: your OTR long-term key. Private: never share this file.");
            writePrivate(file, text.toString());
        } catch (IOException e) {
            throw new OsmsException(0, "io", "Cannot write " + file + ": " + e.getMessage());
        }
    }

    /** Known servers: one line per server URL with the fingerprint of the key pinned on first use. */
    public Optional<String> pinnedServer(String url) {
        Path known = home.resolve("known_servers");
        try {
            if (!Files.exists(known)) {
                return Optional.empty();
            }
            return Files.readAllLines(known).stream().map(l -> l.split(" "))
                    .filter(f -> f.length == 2 && f[0].equals(url)).map(f -> f[1]).findFirst();
        } catch (IOException e) {
            throw new OsmsException(0, "io", "Cannot read " + known + ": " + e.getMessage());
        }
    }

    public void pinServer(String url, String fingerprint) {
        Path known = home.resolve("known_servers");
        try {
            String existing = Files.exists(known) ? Files.readString(known) : "";
            writePrivate(known, existing + url + " " + fingerprint + "\n");
        } catch (IOException e) {
            throw new OsmsException(0, "io", "Cannot write " + known + ": " + e.getMessage());
        }
    }

    /** Replaces the pinned key of {@code url} (after a verified server key rotation); other servers' lines stay. */
    public void repinServer(String url, String fingerprint) {
        Path known = home.resolve("known_servers");
        try {
            StringBuilder kept = new StringBuilder();
            if (Files.exists(known)) {
                for (String line : Files.readAllLines(known)) {
                    if (!line.startsWith(url + " ")) {
                        kept.append(line).append('\n');
                    }
                }
            }
            writePrivate(known, kept + url + " " + fingerprint + "\n");
        } catch (IOException e) {
            throw new OsmsException(0, "io", "Cannot write " + known + ": " + e.getMessage());
        }
    }

    /** The last audit head this client verified for a server: "URL SEQ HASH-HEX" lines. */
    public Optional<String[]> auditCheckpoint(String url) {
        Path file = home.resolve("audit_checkpoints");
        try {
            if (!Files.exists(file)) {
                return Optional.empty();
            }
            return Files.readAllLines(file).stream().map(l -> l.split(" "))
                    .filter(f -> f.length == 3 && f[0].equals(url)).map(f -> new String[] {f[1], f[2]}).findFirst();
        } catch (IOException e) {
            throw new OsmsException(0, "io", "Cannot read " + file + ": " + e.getMessage());
        }
    }

    public void saveAuditCheckpoint(String url, long seq, String hashHex) {
        Path file = home.resolve("audit_checkpoints");
        try {
            StringBuilder kept = new StringBuilder();
            if (Files.exists(file)) {
                for (String line : Files.readAllLines(file)) {
                    if (!line.startsWith(url + " ")) {
                        kept.append(line).append('\n');
                    }
                }
            }
            writePrivate(file, kept + url + " " + seq + " " + hashHex + "\n");
        } catch (IOException e) {
            throw new OsmsException(0, "io", "Cannot write " + file + ": " + e.getMessage());
        }
    }

    private void writePrivate(Path file, String content) throws IOException {
        writePrivate(home, file, content);
    }

    /**
     * Replaces {@code file} (in {@code home}) with {@code content}: written to a new file that is 0600 from its
     * creation (never readable by others, not even for a moment), then renamed over the old one, so a reader sees
     * the old content or the new, never half of it. Creates {@code home} as 0700 if needed.
     */
    static void writePrivate(Path home, Path file, String content) throws IOException {
        createHome(home);
        Path tmp = posix()
                ? Files.createTempFile(home, ".write", ".tmp", PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")))
                : Files.createTempFile(home, ".write", ".tmp");
        try {
            try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(tmp,
                    java.nio.file.StandardOpenOption.WRITE, java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
                java.nio.ByteBuffer bytes = StandardCharsets.UTF_8.encode(content);
                while (bytes.hasRemaining()) {
                    out.write(bytes);
                }
                out.force(true); // on the disk before it replaces the old file: a crash leaves one or the other whole
            }
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        syncDirectory(home);
    }

    /**
     * The directory's entries (a rename into it) on the disk, where the file system lets a directory be synced. Best
     * effort: the rename is done by then, and a file system that refuses to sync a directory must not turn a completed
     * write into a failure.
     */
    private static void syncDirectory(Path home) {
        if (posix()) {
            try (java.nio.channels.FileChannel dir = java.nio.channels.FileChannel.open(home,
                    java.nio.file.StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException notSupported) {
                // the rename stands; only its durability across a power loss is not forced
            }
        }
    }

    /** Whether the file system has POSIX permissions: then private files are 0600 and the home 0700. */
    static boolean posix() {
        return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
    }

    /** Creates {@code home} as 0700 (where the file system has POSIX permissions) if it does not exist. */
    static void createHome(Path home) throws IOException {
        if (!Files.isDirectory(home)) {
            if (posix()) {
                Files.createDirectories(home, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rwx------")));
            } else {
                Files.createDirectories(home);
            }
        }
    }
}
