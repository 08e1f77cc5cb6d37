package dev.cascade.build.queue;

import dev.cascade.build.config.BuildConfig;
import dev.cascade.build.config.BuildConfigSpec;
import dev.cascade.build.config.BuildConfigs;
import dev.cascade.build.executor.BuildExecutor;
import dev.cascade.build.executor.ExecutorSettings;
import dev.cascade.build.executor.ExecutorUnavailableException;
import dev.cascade.build.executor.FreeSpace;
import dev.cascade.buildstep.BuildJob;
import dev.cascade.buildstep.BuildOutcome;
import dev.cascade.buildstep.process.BuildStepException;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.UUID;

/**
 * Runs started builds: each on a worker thread through the executor, with its output in its live log, and then
 * has its outcome recorded. Stops a running build on request.
 */
@ApplicationScoped
public class BuildRunner {

    private final BuildExecutor executor;
    private final BuildConfigs configs;
    private final BuildOutcomes outcomes;
    private final LiveLogs logs;
    private final Vertx vertx;
    private final long maxLogBytes;
    private final long minFreeBytes;
    private final Path logDir;

    public BuildRunner(Instance<BuildExecutor> executors, BuildConfigs configs, BuildOutcomes outcomes, LiveLogs logs, Vertx vertx,
                       QueueSettings queue, ExecutorSettings executorSettings) {
        this.executor = executors.get(); // local or kubernetes, as cascade.build.executor says
        this.configs = configs;
        this.outcomes = outcomes;
        this.logs = logs;
        this.vertx = vertx;
        this.maxLogBytes = queue.maxLogSize().asLongValue();
        this.minFreeBytes = executorSettings.minFreeSpace().asLongValue();
        this.logDir = queue.logDir();
    }

    /** Runs a started build with its config as it is now, then records how it ended; fails only when that cannot be recorded. */
    Uni<Void> run(Build build) {
        Log.infof("build %s #%d started (attempt %d)", build.config, build.number, build.attempt);
        Path logFile = logs.file(build.id);
        return Panache.withSession(() -> BuildConfig.<BuildConfig>findById(build.config))
                .chain(config -> {
                    if (config == null) {
                        return outcomes.failed(build.id, build.attempt, new BuildStepException("the build config was deleted", false));
                    }
                    BuildConfigSpec spec = configs.read(config);
                    String revision = build.commit != null ? build.commit : build.ref != null ? build.ref : spec.source().branch();
                    BuildJob job = new BuildJob(build.id, build.config, build.pipelineId,
                            new BuildJob.Source(spec.source().repository(), spec.source().contextDir(), spec.source().dockerfile()),
                            revision, new BuildJob.Strategy(spec.strategy().type(), spec.strategy().builderImage()), spec.output(),
                            spec.buildArgs(), spec.env(), spec.timeoutSeconds());
                    return vertx.executeBlocking(Uni.createFrom().item(() -> execute(job, logFile)), false)
                            .onItemOrFailure().transformToUni((outcome, failure) -> failure == null
                                    ? outcomes.succeeded(build.id, build.attempt, outcome)
                                    : failure instanceof ExecutorUnavailableException unavailable
                                    ? outcomes.requeued(build.id, build.attempt, unavailable.getMessage())
                                    : outcomes.failed(build.id, build.attempt, failure));
                })
                .onFailure().invoke(f -> Log.errorf(f, "build %s #%d could not be recorded", build.config, build.number));
    }

    /** Stops a running build; the build then ends as cancelled. */
    void stop(UUID build) {
        executor.cancel(build);
    }

    /** Why no build can start now; empty when builds can start. */
    public java.util.Optional<String> unavailable() {
        return executor.unavailable();
    }

    /** Blocking: the executor's run of one build, its output appended to {@code logFile} up to the log limit. */
    private BuildOutcome execute(BuildJob job, Path logFile) {
        FreeSpace.require(minFreeBytes, logDir);
        try (OutputStream out = new LogLimit(logs.append(logFile), maxLogBytes)) {
            return executor.execute(job, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BuildStepException("interrupted", true);
        }
    }
}
