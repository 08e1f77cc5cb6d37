package dev.cascade.build.queue;

import dev.cascade.build.config.BuildConfig;
import dev.cascade.build.config.BuildConfigSpec;
import dev.cascade.build.config.BuildConfigs;
import dev.cascade.common.events.BuildStatus;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

/** Removes old finished builds: each config keeps the number of successful and of other finished builds its spec names. */
@ApplicationScoped
public class BuildPruner {

    private final BuildConfigs configs;

    public BuildPruner(BuildConfigs configs) {
        this.configs = configs;
    }

    /** Keeps the configured number of finished builds of the config {@code finishedId} built, newest first; runs in the caller's transaction. */
    Uni<Void> prune(UUID finishedId) {
        return Build.<Build>findById(finishedId).chain(b -> BuildConfig.<BuildConfig>findById(b.config).chain(config -> {
            if (config == null) {
                return Uni.createFrom().voidItem();
            }
            BuildConfigSpec.History keep = configs.read(config).history();
            return pruneOne(b.config, List.of(BuildStatus.SUCCEEDED), keep.successful())
                    .chain(() -> pruneOne(b.config, List.of(BuildStatus.FAILED, BuildStatus.CANCELLED, BuildStatus.SKIPPED), keep.failed()));
        }));
    }

    private Uni<Void> pruneOne(String config, List<BuildStatus> statuses, int keep) {
        return Build.<Build>find("config = ?1 and status in ?2 order by number desc", config, statuses).list()
                .chain(list -> list.size() <= keep ? Uni.createFrom().voidItem()
                        : Multi.createFrom().iterable(list.subList(keep, list.size()))
                                .onItem().transformToUniAndConcatenate(Build::delete).collect().asList().replaceWithVoid());
    }
}
