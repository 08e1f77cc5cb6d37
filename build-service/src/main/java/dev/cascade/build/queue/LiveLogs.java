package dev.cascade.build.queue;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.UUID;

/**
 * The logs of running builds, one file each in {@link QueueSettings#logDir()}, so they can be followed while the
 * build runs; a build's log moves to its row when the build ends.
 */
@ApplicationScoped
public class LiveLogs {

    private final Path dir;

    public LiveLogs(QueueSettings settings) {
        this.dir = settings.logDir();
    }

    void start(@Observes StartupEvent started) throws IOException {
        Files.createDirectories(dir);
    }

    /** The log of a running build so far, from its file; empty when it has none (yet). */
    public Optional<String> read(UUID build) {
        Path file = file(build);
        return Files.exists(file) ? Optional.of(read(file)) : Optional.empty();
    }

    /** Where a build's log is written while it runs. */
    Path file(UUID build) {
        return dir.resolve(build + ".log");
    }

    /** Opens a build's log file for writing at its end. */
    OutputStream append(Path file) throws IOException {
        return Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** The whole log in a file; empty when there is none, a note when it cannot be read. */
    static String read(Path file) {
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    /** Removes a log file once the log is stored with its build. */
    static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // removed with the log directory eventually
        }
    }
}
