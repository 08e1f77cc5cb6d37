package dev.cascade.bench;

import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.CascadeSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Runs the benchmarks named as arguments ({@code idle rollout build build-jobs cascade intake watch storm}; all when none) against
 * the whole system as it ships ({@link CascadeSystem}), writing raw figures and a summary to the directory
 * named by {@code -Dbench.results}. Sizes come from system properties ({@code -Dbench.rollout.pushes=200}, ...).
 */
public final class Bench {

    static final String NAMESPACE = "bench";
    static final List<String> ALL = List.of("idle", "rollout", "build", "build-jobs", "cascade", "intake", "watch", "storm");

    public static void main(String[] args) throws Exception {
        Set<String> selected = new LinkedHashSet<>(args.length == 0 ? ALL : List.of(args));
        if (!ALL.containsAll(selected)) {
            throw new IllegalArgumentException("benchmarks are " + ALL + "; got " + selected);
        }
        Path root = Path.of(System.getProperty("bench.root", ".")).toAbsolutePath().normalize();
        Results results = new Results(Path.of(System.getProperty("bench.results", "bench/results/latest")));

        if (selected.stream().anyMatch(s -> !List.of("intake", "build-jobs", "watch", "storm").contains(s))) {
            // one system for these; planning is measured without the coalescing window, and builds one at a time. The rollout
            // and cascade figures send registry notifications of new digests that no image has, so their reports are taken
            // as reported, without asking the registry (one HEAD on a local registry, outside what they measure)
            try (CascadeSystem system = CascadeSystem.start(root, NAMESPACE,
                    Map.of("CASCADE_BUILD_COALESCE_WINDOW", "0s", "CASCADE_BUILD_CONCURRENCY", "1", "CASCADE_REGISTRY_VERIFY_REPORTS", "false"))) {
                try {
                    Buildah buildah = new Buildah(system.work().resolve("buildah"));
                    if (selected.contains("idle")) {
                        IdleBench.run(root, system, NAMESPACE, results, integer("bench.idle.rounds", 3),
                                Duration.ofSeconds(integer("bench.idle.seconds", 15)));
                    }
                    if (selected.contains("rollout")) {
                        RolloutBench.run(system, buildah, NAMESPACE, results, integer("bench.rollout.pushes", 200), integer("bench.rollout.warmup", 10));
                    }
                    if (selected.contains("build")) {
                        BuildBench.run(system, system.work().resolve("build-bench"), results, integer("bench.build.rounds", 5));
                    }
                    if (selected.contains("cascade")) {
                        CascadeBench.run(system, buildah, system.work().resolve("cascade-bench"), results, integer("bench.cascade.repeats", 3));
                    }
                } finally {
                    keepLogs(system, results.dir().resolve("logs-system"));
                }
            }
        }
        if (selected.contains("build-jobs")) {
            // the build figure again, each build a Kubernetes Job run by the local cluster's kubelet
            try (CascadeSystem system = CascadeSystem.start(root, NAMESPACE, Map.of("CASCADE_BUILD_COALESCE_WINDOW", "0s",
                    "CASCADE_BUILD_CONCURRENCY", "1", "CASCADE_BUILD_EXECUTOR", "kubernetes", "CASCADE_BUILD_NAMESPACE", "cascade-builds",
                    "CASCADE_BUILD_BUILDER_IMAGE", "registry.example/cascade/builder@sha256:" + "0".repeat(64)))) {
                try {
                    BuildBench.run(system, system.work().resolve("build-bench"), results, integer("bench.build.rounds", 5), "build-jobs",
                            "Kubernetes Jobs (the local cluster's kubelet runs the build pod's containers)");
                } finally {
                    keepLogs(system, results.dir().resolve("logs-jobs"));
                }
            }
        }
        if (selected.contains("watch")) {
            // its own system: every registry polled at a short interval, budgets that do not bind
            Duration interval = Duration.ofSeconds(integer("bench.watch.interval", 120));
            try (CascadeSystem system = CascadeSystem.start(root, NAMESPACE, WatchBench.env(interval))) {
                try {
                    WatchBench.run(system, system.work().resolve("watch-bench"), results, integer("bench.watch.tags", 10_000), interval,
                            integer("bench.watch.repushes", 10));
                } finally {
                    keepLogs(system, results.dir().resolve("logs-watch"));
                }
            }
        }
        if (selected.contains("storm")) {
            // its own system, with the queue's default settings (2 slots, cascade share 0.5)
            try (CascadeSystem system = CascadeSystem.start(root, NAMESPACE, StormBench.env())) {
                try {
                    StormBench.run(system, system.work().resolve("storm-bench"), results, integer("bench.storm.configs", 1000),
                            integer("bench.storm.pushes", 20));
                } finally {
                    keepLogs(system, results.dir().resolve("logs-storm"));
                }
            }
        }
        if (selected.contains("intake")) {
            try (CascadeSystem system = CascadeSystem.start(root, NAMESPACE, Map.of("CASCADE_WEBHOOKS_GITHUB_SECRETS", IntakeBench.SECRET))) {
                try {
                    IntakeBench.run(system, results, integer("bench.intake.rounds", 3), integer("bench.intake.concurrency", 32),
                            integer("bench.intake.first-warmup", 60), integer("bench.intake.warmup", 5), integer("bench.intake.seconds", 15));
                } finally {
                    keepLogs(system, results.dir().resolve("logs-intake"));
                }
            }
        }
        System.out.println();
        System.out.println("raw results and the summary: " + results.dir());
    }

    static int integer(String property, int fallback) {
        return Integer.parseInt(System.getProperty(property, Integer.toString(fallback)));
    }

    private static void keepLogs(CascadeSystem system, Path to) throws Exception {
        Files.createDirectories(to);
        try (var files = Files.list(system.logs())) {
            for (Path f : files.toList()) {
                Files.copy(f, to.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
    }
}
