package dev.cascade.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code cascade builds list}: the latest builds. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Lists builds, newest first.")
final class BuildListCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "CONFIG", description = "only builds of this config")
    String config;

    @Option(names = "--status", paramLabel = "STATUS", description = "queued, started, succeeded, failed, cancelled or skipped")
    String status;

    @Option(names = "--pipeline", paramLabel = "ID", description = "only builds of this pipeline")
    String pipeline;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "at most N builds (default: ${DEFAULT-VALUE})")
    int limit;

    @Mixin
    OutputFormat output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Api api = Cascade.api(spec);
        JsonNode list = api.get(api.build, Api.query("/api/builds",
                Api.params("config", config, "status", status, "pipeline", pipeline, "limit", limit)));
        if (output.json()) {
            System.out.println(Render.json(list));
        } else if (list.isEmpty()) {
            System.out.println("No builds.");
        } else {
            List<List<String>> rows = new ArrayList<>();
            for (JsonNode b : list) {
                rows.add(List.of(b.path("id").asText(), BuildsCommand.name(b), b.path("status").asText(),
                        Render.shorten(Render.text(b, "commit"), 12), Render.time(b.path("createdAt").asText(null)),
                        b.hasNonNull("startedAt") ? Render.duration(b.path("startedAt").asText(), b.path("finishedAt").asText(null)) : "-",
                        Render.oneLine(Render.text(b, "reason"), 60)));
            }
            System.out.print(Render.table(List.of("ID", "BUILD", "STATUS", "COMMIT", "CREATED", "DURATION", "REASON"), rows));
        }
        return Cascade.OK;
    }
}
