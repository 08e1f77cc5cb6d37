package dev.cascade.build.queue;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Optional;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/**
 * Readiness names the build executor: not ready, with the reason, while builds cannot start where they run (the
 * Kubernetes API server cannot be reached); queued builds then stay queued.
 */
@Readiness
@ApplicationScoped
public class ExecutorReadiness implements HealthCheck {

    private final BuildRunner runner;

    public ExecutorReadiness(BuildRunner runner) {
        this.runner = runner;
    }

    /** The executor is made at startup, so a wrong setting stops build-service there and then. */
    void start(@Observes StartupEvent started) {
        runner.unavailable();
    }

    @Override
    public HealthCheckResponse call() {
        Optional<String> away = runner.unavailable();
        return HealthCheckResponse.named("build executor").status(away.isEmpty())
                .withData("reason", away.orElse("builds can start")).build();
    }
}
