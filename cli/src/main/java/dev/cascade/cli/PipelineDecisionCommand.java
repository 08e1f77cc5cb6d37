package dev.cascade.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code cascade pipeline resume|abort ID}: what a person decides for a base-image cascade whose failed canary holds its
 * remaining rollouts. deploy-service holds the rollouts, so it is asked ({@code POST /api/pipelines/{id}/resume|abort}).
 */
abstract class PipelineDecisionCommand extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "the pipeline's id")
    String id;

    abstract String action();

    @Override
    int call(Api api) {
        JsonNode stage = api.post(api.deploy, "/api/pipelines/" + Api.segment(id) + "/" + action(), Map.of());
        output.print(stage, s -> {
            System.out.println("Pipeline " + id + ": canary stage " + s.path("status").asText()
                    + (s.path("reason").isTextual() ? " (" + s.path("reason").asText() + ")" : "") + ".");
            var rows = new java.util.ArrayList<java.util.List<String>>();
            s.path("rollouts").forEach(r -> rows.add(RolloutsCommand.row(r)));
            System.out.print(Render.table(RolloutsCommand.HEADER, rows));
        });
        return Cascade.OK;
    }

    /** {@code cascade pipeline resume ID}. */
    @Command(name = "resume", mixinStandardHelpOptions = true,
            description = "Lets the rollouts that a failed canary of pipeline ID holds go ahead, and prints its rollouts.")
    static final class Resume extends PipelineDecisionCommand {
        @Override
        String action() {
            return "resume";
        }
    }

    /** {@code cascade pipeline abort ID}. */
    @Command(name = "abort", mixinStandardHelpOptions = true,
            description = "Ends the rollouts of pipeline ID that wait for its canaries or are held, and any later ones, as aborted.")
    static final class Abort extends PipelineDecisionCommand {
        @Override
        String action() {
            return "abort";
        }
    }
}
