package dev.cascade.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cascade rollback WORKLOAD}: puts back the image a workload ran before its latest successful rollout. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Puts back the image WORKLOAD ran before its latest successful rollout, and prints that rollout.")
final class RollbackCommand implements Callable<Integer> {

    @Parameters(paramLabel = "WORKLOAD", description = "namespace/kind/name, or namespace/name for a Deployment")
    String workload;

    @Mixin
    OutputFormat output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        String[] parts = workload.split("/", -1);
        if ((parts.length != 2 && parts.length != 3) || java.util.Arrays.stream(parts).anyMatch(String::isBlank)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "WORKLOAD must be namespace/kind/name or namespace/name, not '" + workload + "'");
        }
        String namespace = parts[0];
        String kind = parts.length == 3 ? parts[1] : "Deployment";
        String name = parts[parts.length - 1];
        Api api = Cascade.api(spec);
        JsonNode rollout = api.post(api.deploy, "/api/workloads/" + Api.segment(namespace) + "/" + Api.segment(kind) + "/"
                + Api.segment(name) + "/rollback", Map.of());
        if (output.json()) {
            System.out.println(Render.json(rollout));
        } else {
            System.out.println("Rolled back " + RolloutsCommand.workload(rollout) + " container " + rollout.path("container").asText()
                    + " to " + rollout.path("previousImage").asText() + " (from " + rollout.path("image").asText() + ").");
            System.out.print(Render.table(
                    java.util.List.of("ID", "WORKLOAD", "CONTAINER", "STATUS", "IMAGE", "STARTED", "DURATION", "REASON"),
                    java.util.List.of(RolloutsCommand.row(rollout))));
        }
        return Cascade.OK;
    }
}
