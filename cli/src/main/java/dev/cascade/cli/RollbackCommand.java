package dev.cascade.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cascade rollback WORKLOAD}: puts back the image a workload ran before its latest successful rollout. */
@Command(name = "rollback", mixinStandardHelpOptions = true,
        description = "Puts back the image WORKLOAD ran before its latest successful rollout, and prints that rollout.")
final class RollbackCommand extends ApiCommand {

    @Parameters(paramLabel = "WORKLOAD", description = "namespace/kind/name, or namespace/name for a Deployment")
    String workload;

    @Override
    int call(Api api) {
        String[] parts = workload.split("/", -1);
        if ((parts.length != 2 && parts.length != 3) || Arrays.stream(parts).anyMatch(String::isBlank)) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "WORKLOAD must be namespace/kind/name or namespace/name, not '" + workload + "'");
        }
        String namespace = parts[0];
        String kind = parts.length == 3 ? parts[1] : "Deployment";
        String name = parts[parts.length - 1];
        JsonNode rollout = api.post(api.deploy, "/api/workloads/" + Api.segment(namespace) + "/" + Api.segment(kind) + "/"
                + Api.segment(name) + "/rollback", Map.of());
        output.print(rollout, r -> {
            System.out.println("Rolled back " + RolloutsCommand.workload(r) + " container " + r.path("container").asText()
                    + " to " + r.path("previousImage").asText() + " (from " + r.path("image").asText() + ").");
            System.out.print(Render.table(RolloutsCommand.HEADER, List.of(RolloutsCommand.row(r))));
        });
        return Cascade.OK;
    }
}
