package dev.cascade.buildstep;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.buildstep.process.BuildStepException;
import dev.cascade.common.image.RegistryAliases;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code cascade-build-step fetch|build}: the two containers of a build Job. {@code fetch} (the init container) checks
 * out the build's commit into the shared workspace and checks the configured paths; {@code build} builds and pushes
 * it. The build comes as JSON ({@link BuildJob}) in {@code CASCADE_BUILD_JOB}. Output goes to stdout, which is the
 * pod's log and so the build's log; how the step ended goes to the termination message as JSON: the
 * {@link BuildOutcome} of a pushed image, or {@code {"failure": reason}}.
 */
@Command(name = "cascade-build-step", mixinStandardHelpOptions = true, subcommands = {BuildStepCommand.Fetch.class, BuildStepCommand.Build.class},
        description = "Runs one step of a Cascade build: fetch, then build.")
public final class BuildStepCommand {

    static final ObjectMapper JSON = new ObjectMapper();

    public static void main(String[] args) {
        System.exit(new CommandLine(new BuildStepCommand()).execute(args));
    }

    /** What both steps read. */
    static class Common {
        @Option(names = "--job", defaultValue = "${env:CASCADE_BUILD_JOB}", description = "the build, as JSON (default: $CASCADE_BUILD_JOB)")
        String job;

        @Option(names = "--workspace", defaultValue = "${env:CASCADE_WORKSPACE:-/cascade/workspace}", description = "the folder the steps share")
        Path workspace;

        @Option(names = "--termination-message", defaultValue = "${env:CASCADE_TERMINATION_MESSAGE:-/dev/termination-log}",
                description = "where how the step ended is written")
        Path terminationMessage;

        @Option(names = "--registry-aliases", defaultValue = "${env:CASCADE_REGISTRY_ALIASES:-}", description = "alias=registry,...")
        String registryAliases;

        BuildJob buildJob() throws IOException {
            if (job == null || job.isBlank()) {
                throw new BuildStepException("no build given (CASCADE_BUILD_JOB is empty)", false);
            }
            return JSON.readValue(job, BuildJob.class);
        }

        /** Runs a step; any failure is reported as the termination message and exit code 1. */
        int report(Step step) {
            PrintStream out = System.out;
            try {
                // the folders the pod's environment names (HOME, TMPDIR) live on its volumes, which start empty
                for (String dir : new String[] {System.getenv("HOME"), System.getenv("TMPDIR")}) {
                    if (dir != null && !dir.isBlank()) {
                        Files.createDirectories(Path.of(dir));
                    }
                }
                Object result = step.run(new Out(out));
                writeTermination(JSON.writeValueAsString(result));
                return 0;
            } catch (Exception e) {
                String reason = e instanceof BuildStepException ? e.getMessage() : e.getClass().getSimpleName() + ": " + e.getMessage();
                out.println("build step failed: " + reason);
                Map<String, Object> failure = new LinkedHashMap<>();
                failure.put("failure", reason);
                failure.put("transient", e instanceof BuildStepException bse && bse.transientFailure());
                try {
                    writeTermination(JSON.writeValueAsString(failure));
                } catch (IOException ignored) {
                    // the exit code still says it failed
                }
                return 1;
            } finally {
                out.flush();
            }
        }

        private void writeTermination(String text) throws IOException {
            Files.writeString(terminationMessage, text, StandardCharsets.UTF_8);
        }
    }

    @FunctionalInterface
    interface Step {
        Object run(OutputStream log) throws Exception;
    }

    /** stdout for the build's log, never closed by a step. */
    private static final class Out extends OutputStream {
        private final PrintStream out;

        Out(PrintStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) {
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            out.write(b, off, len);
        }

        @Override
        public void flush() {
            out.flush();
        }
    }

    @Command(name = "fetch", mixinStandardHelpOptions = true,
            description = "Checks out exactly the build's commit from the configured repository into <workspace>/source and checks its paths.")
    static final class Fetch extends Common implements Callable<Integer> {
        @Override
        public Integer call() {
            return report(log -> {
                BuildJob job = buildJob();
                BuildahBuild build = new BuildahBuild(new BuildahSettings(workspace.resolve("unused"), "", Map.of(), 1),
                        RegistryAliases.parse(registryAliases), JSON);
                String commit = build.fetch(job, workspace, log, Instant.now().plusSeconds(job.timeoutSeconds()));
                Files.writeString(workspace.resolve("commit"), commit);
                return Map.of("commit", commit);
            });
        }
    }

    @Command(name = "build", mixinStandardHelpOptions = true,
            description = "Builds what fetch checked out, with buildah, and pushes it; reports the pushed digest.")
    static final class Build extends Common implements Callable<Integer> {
        @Option(names = "--storage-root", defaultValue = "${env:CASCADE_STORAGE_ROOT:-/cascade/storage}", description = "buildah's vfs storage")
        Path storageRoot;

        @Option(names = "--insecure-registries", defaultValue = "${env:CASCADE_INSECURE_REGISTRIES:-}",
                description = "registries spoken to over plain HTTP, comma-separated")
        String insecureRegistries;

        @Option(names = "--push-attempts", defaultValue = "${env:CASCADE_PUSH_ATTEMPTS:-3}", description = "attempts of a push that fails for a transient reason")
        int pushAttempts;

        @Override
        public Integer call() {
            return report(log -> {
                BuildJob job = buildJob();
                Path commitFile = workspace.resolve("commit");
                if (!Files.isRegularFile(commitFile)) {
                    throw new BuildStepException("nothing was fetched into " + workspace, false);
                }
                // registry credentials come from the auth file buildah reads itself (REGISTRY_AUTH_FILE)
                BuildahBuild build = new BuildahBuild(new BuildahSettings(storageRoot, insecureRegistries, Map.of(), pushAttempts),
                        RegistryAliases.parse(registryAliases), JSON);
                return build.build(job, workspace, Files.readString(commitFile).trim(), log, Instant.now().plusSeconds(job.timeoutSeconds()));
            });
        }
    }
}
