package dev.cascade.testsupport.kube;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;

/**
 * One container's log as a container runtime keeps it: every line of stdout and stderr, in the order written,
 * with the time it was read (what {@code kubectl logs --timestamps} prints).
 */
public final class ContainerLog {

    /** RFC 3339 with up to nine fraction digits and trailing zeros dropped, in UTC: Go's {@code time.RFC3339Nano}. */
    public static final DateTimeFormatter RFC3339_NANO = new DateTimeFormatterBuilder()
            .appendPattern("uuuu-MM-dd'T'HH:mm:ss")
            .appendFraction(ChronoField.NANO_OF_SECOND, 0, 9, true)
            .appendLiteral('Z')
            .toFormatter()
            .withZone(ZoneOffset.UTC);

    /** A line with its newline, if it had one (the last line of a stream may not). */
    public record Line(Instant time, byte[] bytes) {

        public String text() {
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    private final List<Line> lines = new ArrayList<>();

    /** Reads a stream to its end, adding each line as it completes. */
    void pump(InputStream in) throws IOException {
        try (InputStream s = new BufferedInputStream(in)) {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = s.read()) != -1) {
                line.write(b);
                if (b == '\n') {
                    append(line.toByteArray());
                    line.reset();
                }
            }
            if (line.size() > 0) {
                append(line.toByteArray());
            }
        }
    }

    /** Adds a line (or several, each written now). */
    public synchronized void append(String text) {
        for (String l : text.split("(?<=\n)")) {
            if (!l.isEmpty()) {
                append(l.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private synchronized void append(byte[] bytes) {
        lines.add(new Line(Instant.now(), bytes));
    }

    public synchronized List<Line> lines() {
        return List.copyOf(lines);
    }

    /** The whole log as text. */
    public String text() {
        StringBuilder out = new StringBuilder();
        lines().forEach(l -> out.append(l.text()));
        return out.toString();
    }

    /** What a kubelet puts in a failed container's termination message: the last 80 lines, at most 2048 bytes of them. */
    String fallbackMessage() {
        List<Line> all = lines();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Line l : all.subList(Math.max(0, all.size() - 80), all.size())) {
            out.writeBytes(l.bytes());
        }
        byte[] bytes = out.toByteArray();
        int from = Math.max(0, bytes.length - 2048);
        return new String(bytes, from, bytes.length - from, StandardCharsets.UTF_8);
    }
}
