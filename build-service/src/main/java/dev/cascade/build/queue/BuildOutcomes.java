package dev.cascade.build.queue;

import dev.cascade.buildstep.BuildOutcome;
import dev.cascade.build.graph.DependencyGraph;
import dev.cascade.build.image.ImagePushes;
import dev.cascade.buildstep.process.BuildStepException;
import dev.cascade.common.events.BuildStatus;
import dev.cascade.messaging.DatabaseUnavailable;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * Records how builds end. Each ending is written with its {@code cascade.build.*} event through the outbox, in one
 * transaction; a build that ends without success skips the queued builds waiting for it.
 */
@ApplicationScoped
public class BuildOutcomes {

    /** Far longer than recording a build's end takes. */
    private static final Duration RECORDING = Duration.ofSeconds(90);

    private final BuildEvents events;
    private final Dependants dependants;
    private final DependencyGraph graph;
    private final BuildPruner pruner;
    private final LiveLogs logs;
    private final ImagePushes imagePushes;

    public BuildOutcomes(BuildEvents events, Dependants dependants, DependencyGraph graph, BuildPruner pruner, LiveLogs logs,
                         ImagePushes imagePushes) {
        this.events = events;
        this.dependants = dependants;
        this.graph = graph;
        this.pruner = pruner;
        this.logs = logs;
        this.imagePushes = imagePushes;
    }

    /**
     * Records a build that succeeded. Everything a success writes is written here, in the one transaction of
     * {@link #recorded}: the build row (its log, the commit built, the digest pushed, the base digests used), its
     * {@code cascade.build.succeeded} event, the {@code cascade.image.pushed} of its image, and the dependency graph's
     * record of the bases and the pushed digest.
     */
    Uni<Void> succeeded(UUID id, int attempt, BuildOutcome outcome) {
        return recorded(id, attempt, b -> {
            b.commit = outcome.commit();
            b.digest = outcome.digest();
            b.baseDigests = BuildColumns.baseDigests(outcome.baseDigests());
            Log.infof("build %s #%d succeeded: %s@%s", b.config, b.number, b.image, b.digest);
            return finish(b, BuildStatus.SUCCEEDED, null)
                    .call(() -> graph.recordBuild(b.config, outcome.baseDigests(), b.image, b.digest, b.pipelineId, b.id));
        });
    }

    /** Records a build that failed, or that was stopped on request while it ran (a cancelled {@link BuildStepException}). */
    Uni<Void> failed(UUID id, int attempt, Throwable failure) {
        return recorded(id, attempt, b -> {
            boolean cancelled = failure instanceof BuildStepException bse && bse.cancelled();
            String reason = failure instanceof BuildStepException ? failure.getMessage()
                    : failure.getClass().getSimpleName() + ": " + failure.getMessage();
            Log.infof("build %s #%d %s: %s", b.config, b.number, cancelled ? "cancelled" : "failed", reason);
            return finish(b, cancelled ? BuildStatus.CANCELLED : BuildStatus.FAILED, cancelled ? "cancelled by request" : reason);
        });
    }

    /** Records the end of a started build that was asked to stop and whose instance died before it could. */
    Uni<Void> cancelledWithoutInstance(UUID id, int attempt) {
        return recorded(id, attempt, b -> {
            Log.infof("build %s #%d cancelled: its instance stopped renewing its lease after the cancel request", b.config, b.number);
            return finish(b, BuildStatus.CANCELLED, "cancelled by request");
        });
    }

    /**
     * Puts a started build back in the queue because it could not be started or followed to its end where builds run
     * (the Kubernetes API server was unreachable, this instance is stopping), as a build whose instance died is: it
     * starts again when it is claimed next, and a Job of it still there is followed then.
     */
    Uni<Void> requeued(UUID id, int attempt, String why) {
        Log.warnf("build %s is queued again: %s", id, why);
        return Panache.withTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery("""
                        UPDATE build SET status = 'QUEUED', started_at = NULL, lease_owner = NULL, lease_until = NULL
                        WHERE id = ?1 AND status = 'STARTED' AND attempt = ?2""").setParameter(1, id).setParameter(2, attempt).executeUpdate()))
                .onFailure().retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(5)).atMost(10)
                .replaceWithVoid();
    }

    /**
     * One transaction: the build gets its whole log and {@code ending}, then its config's old builds are pruned. Once
     * the outcome is stored, the log file goes. Only the attempt that still runs the build records it: an instance that
     * lost its lease (a build queued again or taken over) drops what it found, so no build ends twice.
     */
    private Uni<Void> recorded(UUID id, int attempt, Function<Build, Uni<Void>> ending) {
        Path logFile = logs.file(id);
        Context context = Vertx.currentContext();
        Executor onContext = context == null ? Runnable::run : task -> context.runOnContext(v -> task.run());
        return Panache.withTransaction(() -> Build.<Build>findById(id).chain(b -> {
                    if (b == null || b.status != BuildStatus.STARTED || b.attempt != attempt) {
                        Log.warnf("build %s: the end of attempt %d is not recorded: the build is %s, attempt %d", id, attempt,
                                b == null ? "gone" : b.status, b == null ? 0 : b.attempt);
                        return Uni.createFrom().voidItem();
                    }
                    b.log = LiveLogs.read(logFile);
                    return ending.apply(b);
                }).chain(() -> pruner.prune(id)))
                // one that never ends has hung (the database ends its transaction once it idles): it is tried again,
                // on this build's context, rather than leave the build started for good
                .ifNoItem().after(RECORDING).failWith(() -> new TimeoutException("recording the end of build " + id + " took over "
                        + RECORDING.toSeconds() + " s"))
                .emitOn(onContext)
                // the outcome is known and the build is over: it waits for a database that is away, however long
                .onFailure(DatabaseUnavailable::is).invoke(f -> Log.warnf("build %s: its outcome waits for the database: %s", id, f.getMessage()))
                .onFailure(DatabaseUnavailable::is).retry().withBackOff(Duration.ofMillis(500), Duration.ofSeconds(5)).indefinitely()
                // a conflicting write (two builds of one config ending together) is tried again, so no build stays started
                .onFailure().retry().withBackOff(Duration.ofMillis(200), Duration.ofSeconds(2)).atMost(5)
                .invoke(() -> LiveLogs.delete(logFile));
    }

    /**
     * Ends a build, in the caller's transaction; a success keeps the reason it was queued for, other endings say why
     * they ended. A build that ends without success skips the queued builds waiting for it, and theirs in turn.
     */
    Uni<Void> finish(Build b, BuildStatus status, String reason) {
        b.status = status;
        if (reason != null) {
            b.reason = reason;
        }
        b.finishedAt = OffsetDateTime.now();
        // the image a successful build pushed is published with its success; registry reports held for the build are settled
        Uni<Void> emitted = events.emitted(b).chain(ended -> !status.isFinal() ? Uni.createFrom().voidItem()
                : imagePushes.buildEnded(b.id, status, b.image, b.digest, ended));
        if (status == BuildStatus.SUCCEEDED || !status.isFinal()) {
            return emitted;
        }
        return emitted.chain(() -> dependants.skipWaitingFor(b));
    }
}
