package dev.cascade.build.watch;

import dev.cascade.build.deploy.DeployServiceClient.Follow;
import dev.cascade.build.deploy.DeployServiceClient.WatchedWorkload;
import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which tags are watched, and for whom: every base a config builds FROM, every S2I builder image, every tag a workload
 * follows by digest, unless a config of Cascade builds that tag or the reference is pinned to a digest.
 */
final class WantedTags {

    /**
     * An edge of the graph: a config builds on {@code image}.
     *
     * @param builder whether it is the config's S2I builder image
     * @param pinned  whether the config names it by digest
     */
    record Edge(String config, String image, boolean builder, boolean pinned) {
    }

    private WantedTags() {
    }

    /**
     * @param edges     the graph's edges (images canonical, tagged)
     * @param outputs   the images Cascade's configs build
     * @param workloads the watched workloads and what they follow
     * @return the watched tags, canonical {@code registry/repository:tag}, each with why it is watched
     */
    static Map<String, WatchedFor> of(Collection<Edge> edges, Set<String> outputs, Collection<WatchedWorkload> workloads,
                                      RegistryAliases aliases) {
        Map<String, Set<String>[]> why = new TreeMap<>();
        for (Edge edge : edges) {
            String image = tagged(edge.image(), aliases);
            if (image != null && !edge.pinned()) {
                reasons(why, image)[edge.builder() ? 1 : 0].add(edge.config());
            }
        }
        for (WatchedWorkload workload : workloads) {
            for (Follow follow : workload.follows() == null ? java.util.List.<Follow>of() : workload.follows()) {
                // a workload following versions (semver) or tag patterns (glob) would need tag lists, which are not asked for
                if (follow.from() == null || !(follow.policy() == null || "digest".equalsIgnoreCase(follow.policy()))) {
                    continue;
                }
                String image = tagged(follow.from(), aliases);
                if (image != null) {
                    reasons(why, image)[2].add(workload.key());
                }
            }
        }
        Map<String, WatchedFor> wanted = new TreeMap<>();
        why.forEach((image, sets) -> {
            if (!outputs.contains(image)) {
                wanted.put(image, new WatchedFor(sets[0].stream().toList(), sets[1].stream().toList(), sets[2].stream().toList()));
            }
        });
        return wanted;
    }

    /** The canonical tagged name of a reference by tag; null for one pinned to a digest or one that is no image reference. */
    static String tagged(String reference, RegistryAliases aliases) {
        try {
            ImageRef ref = ImageRef.parse(reference, aliases);
            return ref.digest() != null ? null : ref.taggedName();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    @SuppressWarnings("unchecked")
    private static Set<String>[] reasons(Map<String, Set<String>[]> why, String image) {
        return why.computeIfAbsent(image, i -> new Set[] {new TreeSet<>(), new TreeSet<>(), new TreeSet<>()});
    }
}
