package dev.cascade.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Where a run writes its raw figures (JSON per benchmark) and the lines of its summary. */
public final class Results {

    public static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final Path dir;
    private final List<String> summary = new ArrayList<>();

    public Results(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    public Path dir() {
        return dir;
    }

    /** Writes {@code <name>.json}. */
    public void write(String name, Object value) {
        try {
            JSON.writeValue(dir.resolve(name + ".json").toFile(), value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** One line of the summary, printed now and kept for summary.txt. */
    public synchronized void line(String format, Object... args) {
        String line = String.format(java.util.Locale.ROOT, format, args);
        System.out.println(line);
        summary.add(line);
        try {
            Files.write(dir.resolve("summary.txt"), summary);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
