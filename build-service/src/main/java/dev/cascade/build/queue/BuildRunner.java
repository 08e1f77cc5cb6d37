package dev.cascade.build.queue;

import dev.cascade.build.config.BuildConfig;
import dev.cascade.build.config.BuildConfigSpec;
import dev.cascade.build.config.BuildConfigs;
import dev.cascade.build.executor.BuildJob;
import dev.cascade.build.executor.BuildOutcome;
import dev.cascade.build.executor.BuildahExecutor;
import dev.cascade.build.process.BuildStepException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/**
 * Runs started builds: each on a worker thread through the executor, with its output in its live log, and then
 * has its outcome recorded. Stops a running build on request.
 */
@ApplicationScoped
public class BuildRunner {

    private final BuildahExecutor executor;
    private final BuildConfigs configs;
    private final BuildOutcomes outcomes;
    private final LiveLogs logs;
    private final Vertx vertx;

    public BuildRunner(BuildahExecutor executor, BuildConfigs configs, BuildOutcomes outcomes, LiveLogs logs, Vertx vertx) {
        this.executor = executor;
        this.configs = configs;
        this.outcomes = outcomes;
        this.logs = logs;
        this.vertx = vertx;
    }

    /** Runs a started build with its config as it is now, then records how it ended; fails only when that cannot be recorded. */
    Uni<Void> run(Build build) {
        Log.infof("build %s #%d started (attempt %d)", build.config, build.number, build.attempt);
        Path logFile = logs.file(build.id);
        return Panache.withSession(() -> BuildConfig.<BuildConfig>findById(build.config))
                .chain(config -> {
                    if (config == null) {
                        return outcomes.failed(build.id, new BuildStepException("the build config was deleted", false));
                    }
                    BuildConfigSpec spec = configs.read(config);
                    String revision = build.commit != null ? build.commit : build.ref != null ? build.ref : spec.source().branch();
                    BuildJob job = new BuildJob(build.id, spec, revision, Duration.ofSeconds(spec.timeoutSeconds()));
                    return vertx.executeBlocking(Uni.createFrom().item(() -> execute(job, logFile)), false)
                            .onItemOrFailure().transformToUni((outcome, failure) -> failure == null
                                    ? outcomes.succeeded(build.id, outcome)
                                    : outcomes.failed(build.id, failure));
                })
                .onFailure().invoke(f -> Log.errorf(f, "build %s #%d could not be recorded", build.config, build.number));
    }

    /** Stops a running build's current step; the build then ends as cancelled. */
    void stop(UUID build) {
        executor.cancel(build);
    }

    /** Blocking: the executor's run of one build, its output appended to {@code logFile}. */
    private BuildOutcome execute(BuildJob job, Path logFile) {
        try (OutputStream out = logs.append(logFile)) {
            return executor.execute(job, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildStepException("interrupted", true);
        }
    }
}
