package dev.cascade.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.testsupport.CascadeSystem;
import dev.cascade.testsupport.GitRepos;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgPool;
import io.vertx.sqlclient.PoolOptions;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A base-image storm: {@code n} configs built for real FROM one base (each builds the same one-line Dockerfile and
 * pushes its own image), with the default queue settings (2 build slots, cascades hold 1 while interactive builds run or
 * wait). The base is pushed to the system's registry, whose notification starts the cascade. Once alone, then again
 * with interactive builds of an unrelated config arriving one after the other while the cascade runs (each requested
 * when the previous one has ended, after a pause): how long each waits from queued to started, against the time of one
 * build slot (the cascade builds' median started→finished), and the cascade's total time in both runs.
 */
public final class StormBench {

    private final CascadeSystem system;
    private final Results results;
    private final String host;
    private final String build;

    StormBench(CascadeSystem system, Results results) {
        this.system = system;
        this.results = results;
        this.host = system.registry().host();
        this.build = system.build().url();
    }

    /** The environment of the storm's system: the default queue settings, no coalescing wait. */
    static Map<String, String> env() {
        return Map.of("CASCADE_BUILD_COALESCE_WINDOW", "0s", "CASCADE_REGISTRY_VERIFY_REPORTS", "false");
    }

    public static void run(CascadeSystem system, Path work, Results results, int configs, int pushes) throws Exception {
        new StormBench(system, results).measure(work, configs, pushes);
    }

    void measure(Path work, int n, int pushes) throws Exception {
        String base = host + "/bench/storm-base:1";
        // the first digest, known to build-service before the configs exist: they are inserted as built on it
        String first = system.registry().push("bench/storm-base", "1");
        pipelineOf(first);
        Vertx vertx = Vertx.vertx();
        PgPool db = PgPool.pool(vertx, new PgConnectOptions().setHost("localhost").setPort(system.infra().postgresPort())
                .setUser(system.infra().postgresUser()).setPassword(system.infra().postgresUser()).setDatabase("build"), new PoolOptions().setMaxSize(2));
        try {
            SyntheticConfigs synthetic = new SyntheticConfigs(system, db);
            synthetic.template(work, base);
            List<SyntheticConfigs.Config> configs = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                configs.add(new SyntheticConfigs.Config("storm-" + i, SyntheticConfigs.canonical(base)));
            }
            synthetic.insertBuildable(configs, first);
        } finally {
            db.close();
            vertx.close();
        }
        GitRepos git = new GitRepos(work.resolve("storm-git"));
        String repo = git.create("storm-app");
        git.commit("storm-app", Map.of("Dockerfile", "FROM scratch\nCOPY app.txt /app.txt\n", "app.txt", "v1"), "app");
        HttpResponse<String> created = Harness.post(build + "/api/build-configs", "application/json",
                "{\"name\":\"storm-app\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s/bench/storm-app:1\"}".formatted(repo, host), Map.of());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("storm-app not created: " + created.body());
        }

        results.line("");
        results.line("== storm: a %d-config cascade (real builds, 2 slots, cascade share 0.5) with interactive builds arriving ==", n);
        Map<String, Object> alone = cascade(n, 0);
        Map<String, Object> withPushes = cascade(n, pushes);
        Map<String, Object> raw = new LinkedHashMap<>();
        raw.put("configs", n);
        raw.put("alone", alone);
        raw.put("withInteractiveBuilds", withPushes);
        results.write("storm", raw);
        results.line("cascade alone: %.1f s (median build %.0f ms); with %d interactive builds: %.1f s (median build %.0f ms), ratio %.2f",
                alone.get("cascadeSeconds"), alone.get("medianBuildMs"), ((List<?>) withPushes.get("waitsMs")).size(),
                withPushes.get("cascadeSeconds"), withPushes.get("medianBuildMs"),
                (double) withPushes.get("cascadeSeconds") / (double) alone.get("cascadeSeconds"));
        results.line("interactive build queued -> started: median %.0f ms, p99 %.0f ms, max %.0f ms; one build slot (cascade median build): %.0f ms",
                withPushes.get("waitMedianMs"), withPushes.get("waitP99Ms"), withPushes.get("waitMaxMs"), withPushes.get("medianBuildMs"));
    }

    /** Pushes a new base and follows its cascade to the end, requesting {@code pushes} builds of storm-app meanwhile. */
    private Map<String, Object> cascade(int n, int pushes) throws Exception {
        String pipeline = pipelineOf(system.registry().push("bench/storm-base", "1"));
        List<Double> waits = new ArrayList<>();
        List<Double> clientWaits = new ArrayList<>();
        List<OffsetDateTime> startedAts = new ArrayList<>();
        while (waits.size() < pushes && !ended(pipeline, n)) {
            Thread.sleep(500 + (long) (Math.random() * 1000));
            long t0 = System.nanoTime();
            HttpResponse<String> r = Harness.post(build + "/api/build-configs/storm-app/builds", "application/json", "{}", Map.of());
            String id = Results.JSON.readTree(r.body()).path("id").asText();
            JsonNode started = Harness.await(Duration.ofMinutes(2), Duration.ofMillis(20), () -> Harness.get(build + "/api/builds/" + id),
                    b -> !b.path("startedAt").isNull() && !b.path("startedAt").isMissingNode());
            clientWaits.add((System.nanoTime() - t0) / 1e6);
            OffsetDateTime startedAt = OffsetDateTime.parse(started.path("startedAt").asText());
            startedAts.add(startedAt);
            waits.add(Duration.between(OffsetDateTime.parse(started.path("createdAt").asText()), startedAt).toNanos() / 1e6);
            Harness.await(Duration.ofMinutes(2), Duration.ofMillis(100), () -> Harness.get(build + "/api/builds/" + id),
                    b -> List.of("succeeded", "failed", "cancelled").contains(b.path("status").asText()));
        }
        JsonNode builds = Harness.await(Duration.ofMinutes(60), Duration.ofSeconds(1), () -> Harness.get(build + "/api/builds?limit=1000&pipeline=" + pipeline),
                b -> b.size() == n && allEnded(b));
        OffsetDateTime first = null;
        OffsetDateTime last = null;
        List<Double> durations = new ArrayList<>();
        List<OffsetDateTime[]> spans = new ArrayList<>();
        int succeeded = 0;
        for (JsonNode b : builds) {
            OffsetDateTime created = OffsetDateTime.parse(b.path("createdAt").asText());
            OffsetDateTime finished = OffsetDateTime.parse(b.path("finishedAt").asText());
            first = first == null || created.isBefore(first) ? created : first;
            last = last == null || finished.isAfter(last) ? finished : last;
            if (b.hasNonNull("startedAt")) {
                OffsetDateTime started = OffsetDateTime.parse(b.path("startedAt").asText());
                durations.add(Duration.between(started, finished).toNanos() / 1e6);
                spans.add(new OffsetDateTime[] {started, finished});
            }
            succeeded += "succeeded".equals(b.path("status").asText()) ? 1 : 0;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("pipeline", UUID.fromString(pipeline));
        row.put("succeeded", succeeded);
        row.put("cascadeSeconds", Duration.between(first, last).toMillis() / 1000.0);
        row.put("medianBuildMs", Stats.median(durations));
        row.put("waitsMs", waits);
        row.put("clientWaitsMs", clientWaits);
        List<Double> sorted = waits.stream().sorted().toList();
        row.put("waitMedianMs", sorted.isEmpty() ? 0.0 : Stats.median(sorted));
        row.put("waitP99Ms", sorted.isEmpty() ? 0.0 : sorted.get(Math.max(0, (int) Math.ceil(0.99 * sorted.size()) - 1)));
        row.put("waitMaxMs", sorted.isEmpty() ? 0.0 : sorted.get(sorted.size() - 1));
        // the slot each interactive build took: the cascade build that ended last before it started freed it
        List<Double> slotMs = new ArrayList<>();
        List<Double> gapMs = new ArrayList<>();
        int withinSlot = 0;
        for (int i = 0; i < startedAts.size(); i++) {
            OffsetDateTime start = startedAts.get(i);
            OffsetDateTime[] freed = spans.stream().filter(span -> !span[1].isAfter(start))
                    .max((a, b) -> a[1].compareTo(b[1])).orElse(null);
            if (freed == null) {
                continue;
            }
            double slot = Duration.between(freed[0], freed[1]).toNanos() / 1e6;
            slotMs.add(slot);
            gapMs.add(Duration.between(freed[1], start).toNanos() / 1e6);
            withinSlot += waits.get(i) <= slot ? 1 : 0;
        }
        row.put("freedSlotBuildMs", slotMs);
        row.put("slotFreedToStartedMs", gapMs);
        row.put("waitsWithinTheirSlot", withinSlot);
        row.put("slotFreedToStartedMedianMs", gapMs.isEmpty() ? 0.0 : Stats.median(gapMs));
        row.put("slotFreedToStartedMaxMs", gapMs.stream().mapToDouble(Double::doubleValue).max().orElse(0.0));
        if (!waits.isEmpty()) {
            results.line("interactive builds: %d of %d waited less than the cascade build whose slot they took; slot freed -> started median %.0f ms, max %.0f ms",
                    withinSlot, waits.size(), row.get("slotFreedToStartedMedianMs"), row.get("slotFreedToStartedMaxMs"));
        }
        results.line("%-22s cascade %.1f s, %d of %d succeeded, median build %.0f ms; %d interactive builds, waits (ms) %s",
                pushes == 0 ? "alone" : "with interactive builds", row.get("cascadeSeconds"), succeeded, n, row.get("medianBuildMs"), waits.size(),
                waits.stream().map(w -> String.format("%.0f", w)).toList());
        return row;
    }

    /** The pipeline build-service published the base's {@code digest} in, once it has (the registry's notification, then its report). */
    private String pipelineOf(String digest) throws Exception {
        return Harness.await(Duration.ofMinutes(2), Duration.ofMillis(100), () -> {
            try {
                JsonNode image = Harness.get(build + "/api/images/" + host + "/bench/storm-base:1");
                return digest.equals(image.path("digest").asText()) ? image.path("pipelineId").asText() : null;
            } catch (java.io.IOException notYet) {
                return null;
            }
        }, p -> true);
    }

    private boolean ended(String pipeline, int n) throws Exception {
        JsonNode b = Harness.get(build + "/api/builds?limit=1000&pipeline=" + pipeline);
        return b.size() == n && allEnded(b);
    }

    private static boolean allEnded(JsonNode builds) {
        for (JsonNode b : builds) {
            if (!List.of("succeeded", "failed", "cancelled", "skipped").contains(b.path("status").asText())) {
                return false;
            }
        }
        return true;
    }
}
