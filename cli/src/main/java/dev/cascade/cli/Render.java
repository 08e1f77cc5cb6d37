package dev.cascade.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** How things look on a terminal: tables, the pipeline tree, times, durations and counts. */
final class Render {

    private static final DefaultPrettyPrinter PRETTY = new DefaultPrettyPrinter()
            .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
            .withArrayIndenter(DefaultIndenter.SYSTEM_LINEFEED_INSTANCE);
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private Render() {
    }

    /** The JSON as the service sent it, indented. */
    static String json(JsonNode node) {
        try {
            return Api.JSON.writer(PRETTY).writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The JSON on one line, for streams of JSON values. */
    static String jsonLine(JsonNode node) {
        return node.toString();
    }

    /** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
    static String table(List<String> header, List<List<String>> rows) {
        int[] width = new int[header.size()];
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        for (List<String> row : all) {
            for (int i = 0; i < row.size(); i++) {
                width[i] = Math.max(width[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : all) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < row.size(); i++) {
                line.append(i == row.size() - 1 ? row.get(i) : pad(row.get(i), width[i] + 2));
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    /** The table of {@code items}, a row for each as {@code row} makes it. */
    static String table(List<String> header, JsonNode items, Function<JsonNode, List<String>> row) {
        List<List<String>> rows = new ArrayList<>();
        items.forEach(item -> rows.add(row.apply(item)));
        return table(header, rows);
    }

    static String pad(String s, int width) {
        return s.length() >= width ? s : s + " ".repeat(width - s.length());
    }

    /** The tree of a pipeline from its {@code root} node: one line per node, children indented with ├─ and └─. */
    static String tree(JsonNode root) {
        StringBuilder out = new StringBuilder();
        out.append(node(root)).append('\n');
        children(root, "", out);
        return out.toString();
    }

    private static void children(JsonNode node, String indent, StringBuilder out) {
        for (Iterator<JsonNode> it = node.path("children").elements(); it.hasNext(); ) {
            JsonNode child = it.next();
            boolean last = !it.hasNext();
            out.append(indent).append(last ? "└─ " : "├─ ").append(node(child)).append('\n');
            children(child, indent + (last ? "   " : "│  "), out);
        }
    }

    /** One node: what it is, its status, and how long it took (or has been running). */
    static String node(JsonNode n) {
        StringBuilder s = new StringBuilder(n.path("kind").asText("?")).append(' ').append(n.path("name").asText(""));
        JsonNode fields = n.path("fields");
        String kind = n.path("kind").asText();
        if (kind.equals("image") && fields.hasNonNull("digest")) {
            s.append('@').append(shortDigest(fields.path("digest").asText()));
        } else if (kind.equals("rollout") && fields.hasNonNull("image")) {
            s.append(" → ").append(shortImage(fields.path("image").asText()));
        } else if (kind.equals("source") && fields.hasNonNull("commit")) {
            s.append(" @ ").append(shorten(fields.path("commit").asText(), 12));
        }
        s.append("  ").append(n.path("status").asText("?"));
        if (n.hasNonNull("durationMs")) {
            s.append("  ").append(duration(n.path("durationMs").asLong()));
        } else if (n.hasNonNull("startedAt") && !n.hasNonNull("finishedAt")) {
            s.append("  ").append(since(n.path("startedAt").asText())).append(" so far");
        }
        if (fields.hasNonNull("reason") && !fields.path("reason").asText().isBlank()
                && !List.of("succeeded", "pushed").contains(n.path("status").asText())) {
            s.append("  (").append(oneLine(fields.path("reason").asText(), 100)).append(')');
        }
        return s.toString();
    }

    /** {@code 850ms}, {@code 12s}, {@code 3m04s}, {@code 1h02m}. */
    static String duration(long ms) {
        if (ms < 1000) {
            return ms + "ms";
        }
        long s = ms / 1000;
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return String.format("%dm%02ds", s / 60, s % 60);
        }
        return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
    }

    /** From {@code start} to {@code end}, or to now while it has not ended; "-" without a start. */
    static String duration(String start, String end) {
        OffsetDateTime from = parse(start);
        if (from == null) {
            return "-";
        }
        OffsetDateTime to = parse(end);
        return duration(Duration.between(from, to != null ? to : OffsetDateTime.now()).toMillis());
    }

    /** How long ago a time of the service was: {@code 3m04s ago}; "-" when there is none. */
    static String ago(String iso) {
        OffsetDateTime t = parse(iso);
        return t == null ? "-" : duration(Math.max(0, Duration.between(t, OffsetDateTime.now()).toMillis())) + " ago";
    }

    /** How long until a time of the service: {@code in 7m00s}, or {@code passed} once it has passed; "-" when there is none. */
    static String until(String iso, String passed) {
        OffsetDateTime t = parse(iso);
        if (t == null) {
            return "-";
        }
        long ms = Duration.between(OffsetDateTime.now(), t).toMillis();
        return ms <= 0 ? passed : "in " + duration(ms);
    }

    static String since(String start) {
        return duration(start, null);
    }

    /** A time of the service in this machine's zone, to the second; "-" when there is none. */
    static String time(String iso) {
        OffsetDateTime t = parse(iso);
        return t == null ? "-" : t.atZoneSameInstant(ZoneId.systemDefault()).format(LOCAL);
    }

    /** Now, as a clock shows it, to start lines of a live stream. */
    static String clock() {
        return OffsetDateTime.now().format(CLOCK);
    }

    /** Counts by status of one kind, e.g. {@code 2 succeeded, 1 started}; "-" when there are none. */
    static String counts(JsonNode byStatus) {
        List<String> parts = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : byStatus.properties()) {
            if (e.getValue().asLong() > 0) {
                parts.add(e.getValue().asLong() + " " + e.getKey());
            }
        }
        return parts.isEmpty() ? "-" : String.join(", ", parts);
    }

    /** The counts of a pipeline summary, e.g. {@code builds 2 succeeded · images 2 pushed · rollouts -}. */
    static String allCounts(JsonNode counts) {
        List<String> parts = new ArrayList<>();
        for (String kind : List.of("builds", "images", "rollouts")) {
            parts.add(kind + " " + counts(counts.path(kind)));
        }
        return String.join(" · ", parts);
    }

    static String shortDigest(String digest) {
        return digest.startsWith("sha256:") ? shorten(digest, 19) : digest;
    }

    /** An image reference with its digest shortened. */
    static String shortImage(String image) {
        int at = image.indexOf('@');
        return at < 0 ? image : image.substring(0, at + 1) + shortDigest(image.substring(at + 1));
    }

    static String shorten(String s, int length) {
        return s == null ? "" : s.length() <= length ? s : s.substring(0, length);
    }

    static String oneLine(String s, int max) {
        String line = s == null ? "" : s.strip().replaceAll("\\s*\\R\\s*", " ");
        return line.length() <= max ? line : line.substring(0, max - 1) + "…";
    }

    /** A text field of {@code node}, or "-". */
    static String text(JsonNode node, String field) {
        JsonNode v = node.path(field);
        return v.isMissingNode() || v.isNull() || v.asText().isEmpty() ? "-" : v.asText();
    }

    private static OffsetDateTime parse(String iso) {
        if (iso == null || iso.isBlank() || iso.equals("null")) {
            return null;
        }
        try {
            return OffsetDateTime.parse(iso);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
