package dev.cascade.build.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A build's output beyond the log limit is not kept: the log file stops at the limit with a line that says so. */
class LogLimitTests {

    @TempDir
    Path dir;

    @Test
    void outputBeyondTheLimitIsCutWithANote() throws Exception {
        Path file = dir.resolve("build.log");
        byte[] line = "step output that goes on and on\n".getBytes(StandardCharsets.UTF_8);
        try (LogLimit out = new LogLimit(Files.newOutputStream(file, StandardOpenOption.CREATE, StandardOpenOption.APPEND), 1000)) {
            for (int i = 0; i < 100_000; i++) {
                out.write(line, 0, line.length);
            }
            out.write('x');
            assertThat(out.cut()).isTrue();
        }
        String log = Files.readString(file);
        assertThat(log).startsWith("step output that goes on and on\n");
        assertThat(log.substring(0, 1000)).doesNotContain("[cascade]");
        assertThat(log.substring(1000)).startsWith("\n[cascade] the log is cut here: it reached 1000 bytes (CASCADE_BUILD_MAX_LOG_SIZE)");
        assertThat(Files.size(file)).isLessThan(1200);
    }

    @Test
    void outputWithinTheLimitIsKeptWhole() throws Exception {
        Path file = dir.resolve("small.log");
        try (OutputStream out = new LogLimit(Files.newOutputStream(file), 1000)) {
            out.write("exactly what was printed".getBytes(StandardCharsets.UTF_8));
        }
        assertThat(Files.readString(file)).isEqualTo("exactly what was printed");
    }
}
