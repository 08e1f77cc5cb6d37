package dev.cascade.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code cascade builds logs ID}: a build's output, and with {@code -f} its output as it comes. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Prints the log of build ID (so far, if it is running).",
                "With -f, streams it until the build ends and exits 0 if it succeeded, 1 if not.",
                "--output json prints the build with its whole log in a 'log' field, once it is there."})
final class BuildLogsCommand extends ApiCommand {

    @Parameters(paramLabel = "ID", description = "the build's id")
    String id;

    @Option(names = {"-f", "--follow"}, description = "stream the log until the build ends")
    boolean follow;

    @Override
    int call(Api api) {
        String path = "/api/builds/" + Api.segment(id);
        if (follow) {
            JsonNode build = BuildsCommand.follow(api, id, !output.json());
            if (output.json()) {
                printJson(build, api.text(api.build, path + "/log"));
            }
            return Cascade.exitCode(build);
        }
        String log = api.text(api.build, path + "/log");
        if (output.json()) {
            printJson(api.get(api.build, path), log);
        } else {
            System.out.print(log);
            System.out.flush();
        }
        return Cascade.OK;
    }

    private static void printJson(JsonNode build, String log) {
        System.out.println(Render.json(((ObjectNode) build.deepCopy()).put("log", log)));
    }
}
