package dev.cascade.build.executor;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.buildstep.BuildJob;
import dev.cascade.buildstep.BuildOutcome;
import dev.cascade.buildstep.BuildahBuild;
import dev.cascade.buildstep.BuildahSettings;
import dev.cascade.common.image.RegistryAliases;
import io.quarkus.arc.lookup.LookupUnlessProperty;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.OutputStream;
import java.util.UUID;

/** Runs each build as buildah child processes of this instance, in a workspace under {@link ExecutorSettings#workDir()}. */
@ApplicationScoped
@LookupUnlessProperty(name = "cascade.build.executor", stringValue = "kubernetes", lookupIfMissing = true)
public class LocalExecutor implements BuildExecutor {

    private final ExecutorSettings settings;
    private final BuildahBuild buildah;

    public LocalExecutor(ExecutorSettings settings, RegistryAliases aliases, ObjectMapper json) {
        this.settings = settings;
        this.buildah = new BuildahBuild(new BuildahSettings(settings.storageRoot(), settings.insecureRegistries(),
                BuildahSettings.parseCredentials(settings.registryCredentials().orElse("")), settings.pushAttempts()), aliases, json);
    }

    @Override
    public BuildOutcome execute(BuildJob job, OutputStream log) throws IOException, InterruptedException {
        FreeSpace.require(settings.minFreeSpace().asLongValue(), settings.workDir(), settings.storageRoot());
        return buildah.run(job, settings.workDir(), log);
    }

    @Override
    public void cancel(UUID buildId) {
        buildah.cancel(buildId);
    }
}
