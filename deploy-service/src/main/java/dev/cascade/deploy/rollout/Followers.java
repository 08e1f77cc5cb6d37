package dev.cascade.deploy.rollout;

import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import dev.cascade.deploy.target.ImagePolicy;
import dev.cascade.deploy.target.ImageTrigger;
import dev.cascade.deploy.target.Target;
import dev.cascade.deploy.target.TargetIndex;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Which watched workloads' containers follow which image tags: by annotation, or by a target registered over REST. */
@ApplicationScoped
public class Followers {

    /** A workload's container and the trigger by which it follows an image. */
    public record Candidate(TargetIndex.WatchedWorkload workload, ImageTrigger trigger) {
    }

    private final TargetIndex index;
    private final RegistryAliases aliases;

    public Followers(TargetIndex index, RegistryAliases aliases) {
        this.index = index;
        this.aliases = aliases;
    }

    /** Every trigger of a workload in a watched namespace whose container runs. Runs in the caller's session. */
    public Uni<List<Candidate>> all() {
        return Target.<Target>listAll().map(apiTargets -> {
            List<Candidate> candidates = new ArrayList<>();
            for (TargetIndex.WatchedWorkload w : index.all()) {
                w.triggers().forEach(t -> candidates.add(new Candidate(w, t)));
            }
            for (Target t : apiTargets) {
                index.get(t.workload).ifPresent(w -> candidates.add(new Candidate(w, t.trigger())));
            }
            return candidates.stream()
                    .filter(c -> index.watches(c.workload().ref().namespace()))
                    .filter(c -> c.workload().images().get(c.trigger().container()) != null)
                    .toList();
        });
    }

    /** The candidates that follow pushes of {@code image} (a tag). Runs in the caller's session. */
    public Uni<List<Candidate>> of(ImageRef image) {
        return all().map(all -> all.stream().filter(c -> follows(c, image)).toList());
    }

    /** Whether a push of {@code image} (a tag) is one the candidate follows, given what its container runs now. */
    public boolean follows(Candidate c, ImageRef image) {
        String running = c.workload().images().get(c.trigger().container());
        return running != null && ImagePolicy.follows(c.trigger(), image, runningTag(running), aliases);
    }

    private static Optional<String> runningTag(String running) {
        try {
            return Optional.ofNullable(ImageRef.parse(running).tag());
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
