package dev.cascade.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cascade builds list}: the latest builds. */
@Command(name = "list", mixinStandardHelpOptions = true, description = "Lists builds, newest first.")
final class BuildListCommand extends ApiCommand {

    private static final List<String> HEADER = List.of("ID", "BUILD", "STATUS", "COMMIT", "CREATED", "DURATION", "REASON");

    @Option(names = "--config", paramLabel = "CONFIG", description = "only builds of this config")
    String config;

    @Option(names = "--status", paramLabel = "STATUS", description = "queued, started, succeeded, failed, cancelled or skipped")
    String status;

    @Option(names = "--pipeline", paramLabel = "ID", description = "only builds of this pipeline")
    String pipeline;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "at most N builds (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    int call(Api api) {
        JsonNode list = api.get(api.build, Api.query("/api/builds",
                Api.params("config", config, "status", status, "pipeline", pipeline, "limit", limit)));
        output.printList(list, "No builds.", HEADER, BuildListCommand::row);
        return Cascade.OK;
    }

    private static List<String> row(JsonNode b) {
        return List.of(b.path("id").asText(), BuildsCommand.name(b), b.path("status").asText(),
                Render.shorten(Render.text(b, "commit"), 12), Render.time(b.path("createdAt").asText(null)),
                b.hasNonNull("startedAt") ? Render.duration(b.path("startedAt").asText(), b.path("finishedAt").asText(null)) : "-",
                Render.oneLine(Render.text(b, "reason"), 60));
    }
}
