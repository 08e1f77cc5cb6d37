package dev.cascade.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cascade builds start CONFIG}: builds a config now. */
@Command(name = "start", mixinStandardHelpOptions = true,
        description = {"Builds CONFIG now, from its branch or the given ref or commit, and prints the build's id.",
                "With --follow, then streams the build's log and exits 0 if it succeeded, 1 if not."})
final class BuildStartCommand extends ApiCommand {

    @Parameters(paramLabel = "CONFIG", description = "the build config's name")
    String config;

    @ArgGroup(exclusive = true)
    Revision revision;

    /** What to build instead of the config's branch. */
    static final class Revision {
        @Option(names = "--ref", paramLabel = "REF", description = "a branch or tag") String ref;
        @Option(names = "--commit", paramLabel = "SHA", description = "an exact commit (40 hex digits)") String commit;
    }

    @Option(names = {"-f", "--follow"}, description = "stream the build's log until it ends")
    boolean follow;

    @Override
    int call(Api api) {
        Map<String, String> body = revision == null ? Map.of()
                : revision.commit != null ? Map.of("commit", revision.commit) : Map.of("ref", revision.ref);
        JsonNode build = api.post(api.build, "/api/build-configs/" + Api.segment(config) + "/builds", body);
        String id = build.path("id").asText();
        if (output.json()) {
            if (!follow) {
                System.out.println(Render.json(build));
                return Cascade.OK;
            }
        } else {
            System.out.println(id);
            System.out.flush();
            System.err.println("build " + BuildsCommand.name(build) + " " + build.path("status").asText()
                    + " (pipeline " + build.path("pipelineId").asText() + ")");
            if (!follow) {
                return Cascade.OK;
            }
        }
        JsonNode ended = BuildsCommand.follow(api, id, !output.json());
        if (output.json()) {
            System.out.println(Render.json(ended));
        }
        return Cascade.exitCode(ended);
    }
}
