package org.osms.persistence;

import jakarta.annotation.Resource;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The server's data directory (OSMS_DATA_DIR): the embedded database lives here, with the server's private key in
 * it. It is made private to the server's own account (0700) before the database is first opened.
 */
@ApplicationScoped
public class DataDirectory {
    @Resource(lookup = "osms/dataDir")
    Object location;

    public Path secure() {
        Path dir = Path.of(String.valueOf(location));
        try {
            boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
            if (!Files.isDirectory(dir)) {
                if (posix) {
                    Files.createDirectories(dir,
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } else {
                    Files.createDirectories(dir);
                }
            }
            if (posix) {
                Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
            }
            return dir;
        } catch (IOException e) {
            throw new IllegalStateException("Cannot prepare the data directory " + dir + ": " + e.getMessage(), e);
        }
    }
}
