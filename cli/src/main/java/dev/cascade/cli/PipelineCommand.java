package dev.cascade.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cascade pipeline ID}: one pipeline as a tree, and with {@code --follow} its progress until it ends (or a failed
 * canary holds it); {@code pipeline resume|abort ID} are its subcommands.
 */
@Command(name = "pipeline", mixinStandardHelpOptions = true,
        subcommands = {PipelineDecisionCommand.Resume.class, PipelineDecisionCommand.Abort.class},
        description = {"Shows one pipeline as a tree: what started it, the builds it caused, their images and their rollouts.",
                "With --follow, prints each change until the pipeline ends or is held, then the tree; exits 0 if it succeeded,",
                "1 if it failed or is held. 'pipeline resume ID' and 'pipeline abort ID' decide for a pipeline a failed canary holds."})
final class PipelineCommand extends ApiCommand {

    private static final long APPEAR_WITHIN_MS = 30_000;

    /** Optional to picocli only so that {@code pipeline resume ID} parses; required for showing a pipeline. */
    @Parameters(paramLabel = "ID", arity = "0..1", description = "the pipeline's id")
    String id;

    @Option(names = {"-f", "--follow"}, description = "follow the pipeline until it has ended")
    boolean follow;

    @Override
    int call(Api api) {
        if (id == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "Missing required parameter: 'ID'");
        }
        String path = "/api/pipelines/" + Api.segment(id);
        if (!follow) {
            output.print(api.get(api.trigger, path), PipelineCommand::printTree);
            return Cascade.OK;
        }
        awaitKnown(api, path);
        String last = null;
        Map<String, String> statusOfNode = new HashMap<>();
        try (Progress progress = new Progress()) {
            progress.status("pipeline " + id + ": waiting for its events");
            String[] pipelineStatus = {null};
            String[] lastId = {null};
            while (pipelineStatus[0] == null) {
                boolean ended = api.events(api.trigger, path + "/events", last, event -> {
                    lastId[0] = event.id();
                    JsonNode data = event.json();
                    if (output.json()) {
                        progress.println(Render.jsonLine(Api.JSON.createObjectNode().put("event", event.name()).set("data", data)));
                    }
                    if (event.name().equals("node")) {
                        String was = statusOfNode.put(data.path("id").asText(), data.path("status").asText());
                        if (!output.json() && !data.path("status").asText().equals(was)) {
                            progress.println(Render.clock() + "  " + Render.node(data));
                        }
                    } else if (event.name().equals("pipeline")) {
                        String s = data.path("status").asText();
                        progress.status("pipeline " + s + " · " + Render.allCounts(data.path("counts")));
                        if (!s.equals("running")) {
                            pipelineStatus[0] = s;
                            return false;
                        }
                    }
                    return true;
                });
                last = lastId[0];
                if (!ended) {
                    progress.status("pipeline " + id + ": the stream ended, connecting again");
                    Api.pause(1000);
                }
            }
        }
        JsonNode pipeline = api.get(api.trigger, path);
        if (!output.json()) {
            System.out.println();
            printTree(pipeline);
        }
        return Cascade.exitCode(pipeline);
    }

    /** A pipeline started a moment ago may not have reached trigger-service yet: wait a little for it. */
    private static void awaitKnown(Api api, String path) {
        long until = System.currentTimeMillis() + APPEAR_WITHIN_MS;
        while (true) {
            try {
                api.get(api.trigger, path);
                return;
            } catch (Failure e) {
                if (e.exitCode != Cascade.NOT_FOUND || System.currentTimeMillis() > until) {
                    throw e;
                }
                Api.pause(500);
            }
        }
    }

    /** The pipeline's summary, then its tree. */
    private static void printTree(JsonNode p) {
        System.out.println("pipeline " + p.path("id").asText() + "  " + p.path("status").asText()
                + "  started " + Render.time(p.path("createdAt").asText(null))
                + (p.hasNonNull("finishedAt") ? "  took " : "  running for ")
                + Render.duration(p.path("createdAt").asText(null), p.path("finishedAt").asText(null)));
        System.out.println("trigger  " + p.path("trigger").path("summary").asText("-"));
        System.out.println(Render.allCounts(p.path("counts")));
        System.out.println();
        if (p.hasNonNull("root")) {
            System.out.print(Render.tree(p.path("root")));
        }
    }
}
