package dev.cascade.build.kubernetes;

import dev.cascade.build.executor.ExecutorSettings;
import dev.cascade.buildstep.BuildOutcome;
import dev.cascade.buildstep.BuildahSettings;
import dev.cascade.buildstep.process.BuildStepException;
import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import dev.cascade.registry.RegistryClient;
import dev.cascade.registry.RegistryLookupException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * Asks the output registry for the pushed manifest by its digest ({@code HEAD /v2/<repository>/manifests/<digest>}),
 * with the configured endpoints and credentials ({@code CASCADE_REGISTRY_*}); registries builds push to insecurely
 * ({@code CASCADE_BUILD_INSECURE_REGISTRIES}) are asked over plain HTTP, as the build pushed to them.
 */
@ApplicationScoped
public class RegistryPushConfirmation implements PushConfirmation {

    private static final Duration WAIT = Duration.ofSeconds(30);

    private final RegistryClient registry;
    private final RegistryAliases aliases;

    public RegistryPushConfirmation(RegistryClient registry, ExecutorSettings settings, RegistryAliases aliases) {
        // the image asked about is a config's output, which an operator named
        this.registry = registry.withPlainHttp(r -> BuildahSettings.listed(settings.insecureRegistries(), r))
                .withAllowed(r -> Uni.createFrom().item(true));
        this.aliases = aliases;
    }

    @Override
    public String confirm(BuildOutcome outcome) {
        ImageRef pushed = ImageRef.parse(outcome.image(), aliases).withDigest(outcome.digest());
        boolean found;
        try {
            found = registry.hasManifest(pushed).await().atMost(WAIT);
        } catch (RegistryLookupException | IllegalArgumentException e) {
            throw new BuildStepException("the pushed image " + pushed + " could not be confirmed with its registry: " + e.getMessage(), false, true);
        } catch (io.smallrye.mutiny.TimeoutException e) {
            throw new BuildStepException("the pushed image " + pushed + " could not be confirmed with its registry: no answer in "
                    + WAIT.toSeconds() + " s", false, true);
        }
        if (!found) {
            throw new BuildStepException("the build reported " + pushed + ", which its registry does not have", false);
        }
        return pushed.withDigest(null).toString();
    }
}
