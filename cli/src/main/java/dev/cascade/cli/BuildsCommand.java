package dev.cascade.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code cascade builds}: start builds, read and follow their logs, list them. */
@Command(name = "builds", mixinStandardHelpOptions = true, description = "Starts builds, shows their logs, lists them.",
        subcommands = {BuildStartCommand.class, BuildLogsCommand.class, BuildListCommand.class})
final class BuildsCommand implements Runnable {

    private static final List<String> FINAL = List.of("succeeded", "failed", "cancelled", "skipped");

    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required: start, logs or list");
    }

    /** {@code app #3}: how people name a build. */
    static String name(JsonNode build) {
        return build.path("config").asText() + " #" + build.path("number").asText();
    }

    static boolean ended(JsonNode build) {
        return FINAL.contains(build.path("status").asText());
    }

    /**
     * Streams the build's log to stdout until the build has ended (connecting again if the stream breaks off
     * before), showing progress on stderr; returns the build as it ended.
     */
    static JsonNode follow(Api api, String id, boolean printLog) {
        String path = "/api/builds/" + Api.segment(id);
        JsonNode build = api.get(api.build, path);
        long written = 0;
        try (Progress progress = new Progress()) {
            while (true) {
                progress.status("build " + name(build) + " " + build.path("status").asText());
                try (InputStream log = api.stream(api.build, path + "/log?follow=true")) {
                    written += copy(log, written, printLog ? progress : null);
                } catch (IOException e) {
                    // the stream broke off: the build's status says whether there is more to come
                }
                build = api.get(api.build, path);
                if (ended(build)) {
                    break;
                }
                Api.pause(1000);
            }
        }
        System.err.println("build " + name(build) + " " + build.path("status").asText() + " after "
                + Render.duration(build.path("startedAt").asText(build.path("createdAt").asText(null)), build.path("finishedAt").asText(null))
                + (build.hasNonNull("reason") && !"succeeded".equals(build.path("status").asText()) ? ": " + Render.oneLine(build.path("reason").asText(), 200) : ""));
        return build;
    }

    /** Prints what comes after the first {@code skip} characters (already printed); returns how many were read. */
    private static long copy(InputStream in, long skip, Progress progress) throws IOException {
        Reader reader = new InputStreamReader(in, StandardCharsets.UTF_8);
        long read = 0;
        char[] buffer = new char[8192];
        for (int n = reader.read(buffer); n >= 0; n = reader.read(buffer)) {
            int from = (int) Math.max(0, Math.min(n, skip - read));
            read += n;
            if (progress != null && from < n) {
                progress.print(new String(buffer, from, n - from));
            }
        }
        return read;
    }
}
