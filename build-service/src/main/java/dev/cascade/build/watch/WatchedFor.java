package dev.cascade.build.watch;

import java.util.List;

/**
 * Why a tag is watched: the configs built FROM it, the S2I configs built with it as their builder image, and the
 * workloads ({@code namespace/kind/name}) following it; each list sorted.
 */
public record WatchedFor(List<String> configs, List<String> builders, List<String> workloads) {

    public WatchedFor {
        configs = List.copyOf(configs);
        builders = List.copyOf(builders);
        workloads = List.copyOf(workloads);
    }
}
