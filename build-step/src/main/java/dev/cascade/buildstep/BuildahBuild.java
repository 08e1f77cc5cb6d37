package dev.cascade.buildstep;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.buildstep.process.BuildStepException;
import dev.cascade.buildstep.process.ProcessRunner;
import dev.cascade.buildstep.source.CheckoutPaths;
import dev.cascade.buildstep.source.DockerfileBases;
import dev.cascade.buildstep.source.GitCheckout;
import dev.cascade.buildstep.source.Workspaces;
import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Runs a build with real buildah, daemonless: vfs storage, chroot isolation. It has two steps: {@link #fetch} checks
 * out the exact commit and checks the configured paths; {@link #build} pulls the bases to learn their digests, builds
 * with OCI labels naming base, source and revision, and pushes, retrying transient registry errors. build-service's
 * local executor runs both in-process ({@link #run}); a build Job runs them in its two containers. Blocking.
 */
public class BuildahBuild {

    private static final Map<String, String> BUILDAH_ENV = Map.of("BUILDAH_ISOLATION", "chroot");

    private static final List<String> TRANSIENT = List.of("connection refused", "connection reset", "timeout", "i/o timeout",
            "503", "502", "504", "too many requests", "eof");

    private final BuildahSettings settings;
    private final RegistryAliases aliases;
    private final ObjectMapper json;
    private final Map<UUID, Process> running = new ConcurrentHashMap<>();
    private final Map<UUID, Boolean> cancelled = new ConcurrentHashMap<>();

    public BuildahBuild(BuildahSettings settings, RegistryAliases aliases, ObjectMapper json) {
        this.settings = settings;
        this.aliases = aliases;
        this.json = json;
    }

    /** Stops a running build's current step; the build then ends as cancelled. */
    public boolean cancel(UUID buildId) {
        cancelled.put(buildId, true);
        Process p = running.get(buildId);
        if (p != null) {
            ProcessRunner.stop(p);
            return true;
        }
        return false;
    }

    /** Both steps in a workspace of the build's own under {@code workDir}, removed afterwards. */
    public BuildOutcome run(BuildJob job, Path workDir, OutputStream log) throws IOException, InterruptedException {
        Instant deadline = Instant.now().plusSeconds(job.timeoutSeconds());
        Path workspace = Files.createDirectories(workDir).resolve(job.buildId().toString());
        try {
            String commit = fetch(job, workspace, log, deadline);
            return build(job, workspace, commit, log, deadline);
        } finally {
            running.remove(job.buildId());
            cancelled.remove(job.buildId());
            Workspaces.deleteTree(workspace);
        }
    }

    /**
     * Checks out exactly the build's revision from the configured repository into {@code workspace/source} and checks
     * that the paths the build reads (context dir, Dockerfile) stay inside it.
     *
     * @return the commit checked out
     */
    public String fetch(BuildJob job, Path workspace, OutputStream log, Instant deadline) throws IOException, InterruptedException {
        Path checkout = workspace.resolve("source");
        String commit = GitCheckout.checkout(job.source().repository(), job.revision(), checkout, remaining(deadline), log,
                p -> running.put(job.buildId(), p), () -> isCancelled(job));
        if (job.sourceToImage()) {
            inside(checkout, job.source().contextDir(), "source.contextDir");
        } else {
            dockerBuild(checkout, job.source());
        }
        return commit;
    }

    /** Builds and pushes what {@link #fetch} checked out in {@code workspace}; the local image is removed afterwards. */
    public BuildOutcome build(BuildJob job, Path workspace, String commit, OutputStream log, Instant deadline)
            throws IOException, InterruptedException {
        Path checkout = workspace.resolve("source");
        // built under a name of this build's own: parallel builds of one config must not push each other's image
        String local = "localhost/cascade-build/" + job.buildId() + ":latest";
        boolean built = false;
        try {
            Path dockerfile;
            Path buildContext;
            if (job.sourceToImage()) {
                Path context = inside(checkout, job.source().contextDir(), "source.contextDir");
                buildContext = Files.createDirectories(workspace.resolve("s2i"));
                String builder = ImageRef.parse(job.strategy().builderImage(), aliases).toString();
                pull(job, builder, log, deadline);
                JsonNode config = inspect(job, builder, deadline).path("OCIv1").path("config");
                Map<String, String> labels = new HashMap<>();
                config.path("Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
                String text = S2iDockerfile.generate(builder, labels, config.path("User").asText(""), context, buildContext, job.env());
                dockerfile = buildContext.resolve("Dockerfile");
                Files.writeString(dockerfile, text);
                write(log, "--- generated Dockerfile (source-to-image) ---\n" + text + "---\n");
            } else {
                CheckoutPaths.DockerBuild docker = dockerBuild(checkout, job.source());
                buildContext = docker.context();
                dockerfile = docker.dockerfile();
            }

            DockerfileBases.Bases bases;
            try {
                bases = DockerfileBases.analyse(Files.readString(dockerfile), job.buildArgs(), aliases);
            } catch (IllegalArgumentException e) {
                throw new BuildStepException("Dockerfile: " + e.getMessage(), false);
            }
            Map<String, String> baseDigests = new LinkedHashMap<>();
            for (DockerfileBases.Base base : bases.all()) {
                String ref = base.image().toString();
                pull(job, ref, log, deadline);
                baseDigests.put(base.image().withoutDigest().toString(), base.image().digest() != null ? base.image().digest()
                        : inspect(job, ref, deadline).path("FromImageDigest").asText());
            }

            ImageRef output = ImageRef.parse(job.output(), aliases);
            List<String> bud = new ArrayList<>(List.of("bud", "--isolation", "chroot", "--tls-verify=" + !settings.insecure(output.registry()),
                    "-f", dockerfile.toString(), "-t", local,
                    "--label", "org.opencontainers.image.source=" + job.source().repository(),
                    "--label", "org.opencontainers.image.revision=" + commit));
            bases.finalBase().ifPresent(b -> {
                bud.addAll(List.of("--label", "org.opencontainers.image.base.name=" + b.withoutDigest()));
                String d = b.digest() != null ? b.digest() : baseDigests.get(b.withoutDigest().toString());
                if (d != null && !d.isBlank()) {
                    bud.addAll(List.of("--label", "org.opencontainers.image.base.digest=" + d));
                }
            });
            job.buildArgs().forEach((k, v) -> bud.addAll(List.of("--build-arg", k + "=" + v)));
            if (!job.sourceToImage()) {
                job.env().forEach((k, v) -> bud.addAll(List.of("--env", k + "=" + v)));
            }
            bud.add(buildContext.toString());
            buildah(job, bud, log, deadline);
            built = true; // from here on, a build whose push fails has a local image to remove too

            String digest = push(job, local, output, workspace, log, deadline);
            return new BuildOutcome(commit, output.toString(), digest, baseDigests);
        } finally {
            if (built) {
                removeLocalImage(local, log);
            }
        }
    }

    private String push(BuildJob job, String local, ImageRef output, Path workspace, OutputStream log, Instant deadline)
            throws IOException, InterruptedException {
        Path digestFile = workspace.resolve("digest");
        List<String> cmd = new ArrayList<>(List.of("push", "--tls-verify=" + !settings.insecure(output.registry()), "--digestfile", digestFile.toString()));
        String creds = settings.credentials().get(output.registry());
        if (creds != null) {
            cmd.addAll(List.of("--creds", creds));
        }
        cmd.add(local);
        cmd.add("docker://" + output);
        for (int attempt = 1; ; attempt++) {
            ByteArrayOutputStream captured = new ByteArrayOutputStream();
            OutputStream tee = new TeeStream(log, captured);
            try {
                buildah(job, cmd, tee, deadline);
                return Files.readString(digestFile).trim();
            } catch (BuildStepException e) {
                String out = captured.toString(StandardCharsets.UTF_8).toLowerCase();
                boolean isTransient = !e.cancelled() && TRANSIENT.stream().anyMatch(out::contains);
                if (!isTransient || attempt >= settings.pushAttempts()) {
                    throw new BuildStepException("push failed" + (attempt > 1 ? " after " + attempt + " attempts" : "") + ": " + lastLine(out),
                            e.cancelled(), isTransient);
                }
                write(log, "push failed with a transient error; retrying (attempt " + (attempt + 1) + " of " + settings.pushAttempts() + ")\n");
                Thread.sleep(1000L * attempt);
            }
        }
    }

    private void pull(BuildJob job, String ref, OutputStream log, Instant deadline) throws IOException, InterruptedException {
        ImageRef image = ImageRef.parse(ref, aliases);
        List<String> cmd = new ArrayList<>(List.of("pull", "-q", "--policy", "always", "--tls-verify=" + !settings.insecure(image.registry())));
        String creds = settings.credentials().get(image.registry());
        if (creds != null) {
            cmd.addAll(List.of("--creds", creds));
        }
        cmd.add(ref);
        buildah(job, cmd, log, deadline);
    }

    /** {@code buildah inspect} of a local image, as JSON (this buildah has no json template function). */
    private JsonNode inspect(BuildJob job, String ref, Instant deadline) throws IOException, InterruptedException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        buildah(job, List.of("inspect", "--type", "image", ref), out, deadline);
        String text = out.toString(StandardCharsets.UTF_8);
        int firstNewline = text.indexOf('\n'); // drop the "$ buildah ..." header line
        return json.readTree(firstNewline < 0 ? "{}" : text.substring(firstNewline + 1));
    }

    /**
     * Removes a build's local image, pushed or not. Runs in the build's {@code finally}, so it throws nothing: a failure
     * leaves the image in local storage and is written to the log.
     */
    private void removeLocalImage(String local, OutputStream log) {
        try {
            ProcessRunner.Result r = ProcessRunner.run(buildahCommand(List.of("rmi", "-f", local)), null, BUILDAH_ENV,
                    Duration.ofMinutes(5), OutputStream.nullOutputStream(), p -> { }, () -> false);
            if (!r.ok()) {
                write(log, "could not remove the local image " + local + " (buildah rmi exit " + r.exitCode() + ")\n");
            }
        } catch (IOException e) {
            try {
                write(log, "could not remove the local image " + local + ": " + e.getMessage() + "\n");
            } catch (IOException ignored) {
                // the log is gone too; the image stays in local storage
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private List<String> buildahCommand(List<String> args) {
        List<String> cmd = new ArrayList<>(List.of("buildah", "--storage-driver", "vfs",
                "--root", settings.storageRoot().resolve("storage").toString(),
                "--runroot", settings.storageRoot().resolve("run").toString()));
        cmd.addAll(args);
        return cmd;
    }

    private void buildah(BuildJob job, List<String> args, OutputStream log, Instant deadline) throws IOException, InterruptedException {
        List<String> cmd = buildahCommand(args);
        Duration left = remaining(deadline);
        ProcessRunner.Result r = ProcessRunner.run(cmd, null, BUILDAH_ENV, left, log,
                p -> running.put(job.buildId(), p), () -> isCancelled(job));
        if (!r.ok()) {
            throw new BuildStepException(r.cancelled() ? "cancelled"
                    : r.timedOut() ? "timed out after " + job.timeoutSeconds() + " s"
                    : "buildah " + args.get(0) + " failed (exit " + r.exitCode() + ")", r.cancelled());
        }
    }

    private boolean isCancelled(BuildJob job) {
        return cancelled.getOrDefault(job.buildId(), false);
    }

    private static Duration remaining(Instant deadline) {
        Duration d = Duration.between(Instant.now(), deadline);
        if (d.isNegative() || d.isZero()) {
            throw new BuildStepException("timed out", false);
        }
        return d;
    }

    /** The context dir and Dockerfile inside the checkout; a path that escapes it or is missing fails the build for good. */
    private static CheckoutPaths.DockerBuild dockerBuild(Path checkout, BuildJob.Source source) throws IOException {
        CheckoutPaths.DockerBuild docker;
        try {
            docker = CheckoutPaths.dockerBuild(checkout, source.contextDir(), source.dockerfile());
        } catch (CheckoutPaths.Refused e) {
            throw new BuildStepException(e.getMessage(), false);
        }
        if (docker.dockerfile() == null) {
            throw new BuildStepException("no Dockerfile at " + source.dockerfile() + " in " + source.contextDir(), false);
        }
        return docker;
    }

    /** A configured path inside the checkout; one that escapes it or is missing fails the build for good. */
    private static Path inside(Path root, String relative, String field) throws IOException {
        try {
            return CheckoutPaths.resolve(root, relative, field);
        } catch (CheckoutPaths.Refused e) {
            throw new BuildStepException(e.getMessage(), false);
        }
    }

    private static void write(OutputStream log, String text) throws IOException {
        synchronized (log) {
            log.write(text.getBytes(StandardCharsets.UTF_8));
            log.flush();
        }
    }

    private static String lastLine(String text) {
        String[] lines = text.strip().split("\n");
        return lines.length == 0 ? "" : lines[lines.length - 1];
    }
}
