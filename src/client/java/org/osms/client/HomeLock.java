package org.osms.client;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * One {@code osms} at a time per home directory: an exclusive lock on {@code HOME/lock}, held while a command runs.
 * Two at once would each read, change and write the same files (the outbox, the pins, a key being rotated) and one
 * would undo the other's change: a key rotated by one and overwritten by the other would be lost. The operating
 * system drops the lock with the process, however it ends.
 */
final class HomeLock implements AutoCloseable {
    static final String FILE = "lock";
    /**
     * The lock files this process holds. A second channel on a file this process has locked must not even be opened
     * and closed: on Linux, closing any descriptor of a file drops every lock the process holds on it.
     */
    private static final Set<Path> HELD = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private final Path file;
    private final FileChannel channel;
    private final FileLock lock;

    private HomeLock(Path file, FileChannel channel, FileLock lock) {
        this.file = file;
        this.channel = channel;
        this.lock = lock;
    }

    /** The lock, or empty if another command holds it (in this process or another). Creates HOME as 0700. */
    static Optional<HomeLock> tryTake(Path home) throws IOException {
        KeyStoreFiles.createHome(home);
        Path file = home.toRealPath().resolve(FILE);
        if (!HELD.add(file)) {
            return Optional.empty();
        }
        try {
            Optional<HomeLock> taken = tryLock(file);
            if (taken.isEmpty()) {
                HELD.remove(file);
            }
            return taken;
        } catch (IOException | RuntimeException e) {
            HELD.remove(file);
            throw e;
        }
    }

    private static Optional<HomeLock> tryLock(Path file) throws IOException {
        Set<StandardOpenOption> options = Set.of(StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileChannel channel = KeyStoreFiles.posix()
                ? FileChannel.open(file, options, PosixFilePermissions.asFileAttribute(
                        PosixFilePermissions.fromString("rw-------")))
                : FileChannel.open(file, options);
        FileLock lock;
        try {
            lock = channel.tryLock();
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        if (lock == null) {
            channel.close(); // this process holds no lock on the file (HELD): nothing of its own is dropped
            return Optional.empty();
        }
        return Optional.of(new HomeLock(file, channel, lock));
    }

    @Override
    public void close() {
        try {
            lock.release();
            channel.close();
        } catch (IOException e) {
            // closing the channel releases the lock; the process's end would too
        } finally {
            HELD.remove(file);
        }
    }
}
