package dev.cascade.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cascade pipelines}: the latest pipelines, and with {@code --follow} each change of any pipeline as it happens. */
@Command(name = "pipelines", mixinStandardHelpOptions = true,
        description = {"Lists pipelines, newest first.",
                "With --follow, then prints a line for every change of a pipeline until Ctrl-C (--output json: one JSON summary a line)."})
final class PipelinesCommand extends ApiCommand {

    private static final List<String> HEADER = List.of("ID", "TRIGGER", "STATUS", "STARTED", "DURATION", "BUILDS", "IMAGES", "ROLLOUTS");

    @Option(names = "--repository", paramLabel = "URL", description = "only pipelines of this git repository (listing only)")
    String repository;

    @Option(names = "--image", paramLabel = "IMAGE", description = "only pipelines with a node of this image (listing only)")
    String image;

    @Option(names = "--status", paramLabel = "STATUS", description = "running, held, succeeded or failed")
    String status;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "at most N pipelines (default: ${DEFAULT-VALUE})")
    int limit;

    @Option(names = {"-f", "--follow"}, description = "keep printing pipeline changes until Ctrl-C")
    boolean follow;

    @Override
    int call(Api api) {
        if (follow) {
            return follow(api);
        }
        printListing(api);
        return Cascade.OK;
    }

    private void printListing(Api api) {
        JsonNode list = api.get(api.trigger, Api.query("/api/pipelines",
                Api.params("repository", repository, "image", image, "status", status, "limit", limit)));
        if (!follow) {
            output.printList(list, "No pipelines.", HEADER, PipelinesCommand::row);
        } else if (output.json()) {
            list.forEach(p -> System.out.println(Render.jsonLine(p)));
        } else {
            System.out.print(Render.table(HEADER, list, PipelinesCommand::row)); // the header even when empty: lines follow it
        }
        System.out.flush();
    }

    /** The listing is printed once the stream is open, so no change made between the two is missed. */
    private int follow(Api api) {
        AtomicInteger changes = new AtomicInteger();
        AtomicBoolean listed = new AtomicBoolean();
        try (Progress progress = new Progress()) {
            while (true) {
                api.events(api.trigger, "/api/pipelines/stream", null, () -> {
                    if (!listed.getAndSet(true)) {
                        printListing(api);
                        progress.status("following pipelines: no changes yet");
                    }
                }, event -> {
                    if (!event.name().equals("pipeline")) {
                        return true;
                    }
                    JsonNode p = event.json();
                    if (status != null && !status.equalsIgnoreCase(p.path("status").asText())) {
                        return true;
                    }
                    progress.println(output.json() ? Render.jsonLine(p) : line(p));
                    progress.status("following pipelines: " + changes.incrementAndGet() + " change" + (changes.get() == 1 ? "" : "s"));
                    return true;
                });
                // the service ended the stream (a restart, a proxy's timeout): connect again
                progress.status("following pipelines: the stream ended, connecting again");
                Api.pause(1000);
            }
        }
    }

    /** One change as a line: when, which pipeline, its status, its trigger, its counts. */
    static String line(JsonNode p) {
        return Render.clock() + "  " + p.path("id").asText() + "  " + Render.pad(p.path("status").asText(), 9) + "  "
                + Render.oneLine(p.path("trigger").path("summary").asText("-"), 70) + "  " + Render.allCounts(p.path("counts"));
    }

    private static List<String> row(JsonNode p) {
        JsonNode counts = p.path("counts");
        return List.of(p.path("id").asText(), Render.oneLine(p.path("trigger").path("summary").asText("-"), 60),
                p.path("status").asText(), Render.time(p.path("createdAt").asText(null)),
                Render.duration(p.path("createdAt").asText(null), p.path("finishedAt").asText(null)),
                Render.counts(counts.path("builds")), Render.counts(counts.path("images")), Render.counts(counts.path("rollouts")));
    }
}
