package dev.cascade.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cascade rollouts}: what was rolled out where, and how it went. */
@Command(name = "rollouts", mixinStandardHelpOptions = true, description = "Lists rollouts, newest first.")
final class RolloutsCommand extends ApiCommand {

    /** The columns of a rollout's {@link #row}. */
    static final List<String> HEADER = List.of("ID", "WORKLOAD", "CONTAINER", "STATUS", "IMAGE", "STARTED", "DURATION", "REASON");

    @Option(names = "--namespace", paramLabel = "NS", description = "only rollouts in this namespace")
    String namespace;

    @Option(names = "--workload", paramLabel = "NAME", description = "only rollouts of workloads with this name")
    String workload;

    @Option(names = "--status", paramLabel = "STATUS",
            description = "e.g. pending, in-progress, succeeded, failed, rolledback, superseded")
    String status;

    @Option(names = "--pipeline", paramLabel = "ID", description = "only rollouts of this pipeline")
    String pipeline;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "20", description = "at most N rollouts (default: ${DEFAULT-VALUE})")
    int limit;

    @Override
    int call(Api api) {
        JsonNode list = api.get(api.deploy, Api.query("/api/rollouts",
                Api.params("namespace", namespace, "workload", workload, "status", status, "pipeline", pipeline, "limit", limit)));
        output.printList(list, "No rollouts.", HEADER, RolloutsCommand::row);
        return Cascade.OK;
    }

    static List<String> row(JsonNode r) {
        return List.of(r.path("id").asText(), workload(r), r.path("container").asText(), r.path("status").asText(),
                Render.shortImage(r.path("image").asText()), Render.time(r.path("createdAt").asText(null)),
                Render.duration(r.path("createdAt").asText(null), r.path("finishedAt").asText(null)),
                Render.oneLine(Render.text(r, "reason"), 60));
    }

    /** {@code namespace/kind/name}. */
    static String workload(JsonNode w) {
        return w.path("namespace").asText() + "/" + w.path("kind").asText() + "/" + w.path("name").asText();
    }
}
