package dev.cascade.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code cascade builds logs ID}: a build's output, and with {@code -f} its output as it comes. */
@Command(name = "logs", mixinStandardHelpOptions = true,
        description = {"Prints the log of build ID (so far, if it is running).",
                "With -f, streams it until the build ends and exits 0 if it succeeded, 1 if not.",
                "--output json prints the build with its whole log in a 'log' field, once it is there."})
final class BuildLogsCommand implements Callable<Integer> {

    @Parameters(paramLabel = "ID", description = "the build's id")
    String id;

    @Option(names = {"-f", "--follow"}, description = "stream the log until the build ends")
    boolean follow;

    @Mixin
    OutputFormat output;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Api api = Cascade.api(spec);
        String path = "/api/builds/" + Api.segment(id);
        if (follow) {
            JsonNode build = BuildsCommand.follow(api, id, !output.json());
            if (output.json()) {
                printJson(build, api.text(api.build, path + "/log"));
            }
            return BuildsCommand.exitCode(build);
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
