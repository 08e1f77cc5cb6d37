package dev.cascade.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code cascade impact IMAGE}: what a new digest of an image would rebuild and roll out, without doing anything. */
@Command(name = "impact", mixinStandardHelpOptions = true,
        description = "Dry run: the configs a new digest of IMAGE would rebuild, wave by wave, and the workloads that would roll out.")
final class ImpactCommand extends ApiCommand {

    @Parameters(paramLabel = "IMAGE", description = "registry/repository:tag")
    String image;

    @Override
    int call(Api api) {
        output.print(api.get(api.build, Api.query("/api/impact", Api.params("image", image))), this::describe);
        return Cascade.OK;
    }

    /** The waves of configs, then the workloads, each list indented under a sentence that counts it. */
    private void describe(JsonNode impact) {
        int builds = impact.path("builds").asInt();
        System.out.println("A new digest of " + impact.path("image").asText(image) + " rebuilds "
                + (builds == 0 ? "nothing." : builds + (builds == 1 ? " config:" : " configs:")));
        List<List<String>> rows = new ArrayList<>();
        for (JsonNode wave : impact.path("waves")) {
            boolean first = true;
            for (JsonNode c : wave.path("configs")) {
                List<String> after = new ArrayList<>();
                c.path("after").forEach(a -> after.add(a.asText()));
                rows.add(List.of(first ? "wave " + wave.path("wave").asText() : "", c.path("config").asText(), c.path("image").asText(),
                        after.isEmpty() ? "" : "after " + String.join(", ", after)));
                first = false;
            }
        }
        if (!rows.isEmpty()) {
            System.out.print(indent(Render.table(List.of("WAVE", "CONFIG", "IMAGE", ""), rows)));
        }
        if (impact.hasNonNull("rolloutsUnavailable")) {
            System.out.println("Rollouts are unknown: " + Render.oneLine(impact.path("rolloutsUnavailable").asText(), 200));
            return;
        }
        JsonNode workloads = impact.path("rollouts");
        System.out.println(workloads.isEmpty() ? "No workload would roll out."
                : workloads.size() == 1 ? "1 workload would roll out:" : workloads.size() + " workloads would roll out:");
        if (!workloads.isEmpty()) {
            System.out.print(indent(Render.table(List.of("WORKLOAD", "CONTAINER", "FOLLOWS", "POLICY", ""), workloads,
                    w -> List.of(RolloutsCommand.workload(w), w.path("container").asText(), w.path("image").asText(),
                            w.path("policy").asText(), note(w)))));
        }
    }

    /** Paused workloads would not roll out now; canaries would roll out first in a base-image cascade. */
    private static String note(JsonNode w) {
        if (w.path("paused").asBoolean()) {
            return "paused: would not roll out now";
        }
        return w.path("canary").asBoolean() ? "canary: rolls out first" : "";
    }

    private static String indent(String text) {
        return text.lines().map(l -> "  " + l + "\n").reduce("", String::concat);
    }
}
