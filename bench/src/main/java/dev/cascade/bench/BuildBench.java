package dev.cascade.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.CascadeSystem;
import dev.cascade.testsupport.GitRepos;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Build overhead: a small Dockerfile built and pushed through Cascade (a build by hand through build-service:
 * queue, git checkout, buildah bud, buildah push, record) against {@code buildah bud} plus {@code buildah push}
 * run directly on the same context, alternately, each timed end to end.
 */
public final class BuildBench {

    static final String DOCKERFILE = "FROM scratch\nCOPY app.txt /app.txt\n";

    public static void run(CascadeSystem system, Path work, Results results, int rounds) throws Exception {
        run(system, work, results, rounds, "build", "build-service's local executor");
    }

    /**
     * @param key   the name of the figures in the results ({@code build}, {@code build-jobs})
     * @param where the executor the system runs builds with, for the summary
     */
    public static void run(CascadeSystem system, Path work, Results results, int rounds, String key, String where) throws Exception {
        String host = system.registry().host();
        GitRepos git = new GitRepos(work.resolve("git"));
        Buildah direct = new Buildah(work.resolve("direct-buildah"));
        String repo = git.create("bench-app");
        git.commit("bench-app", Map.of("Dockerfile", DOCKERFILE, "app.txt", "0"), "first");
        HttpResponse<String> created = Harness.post(system.build().url() + "/api/build-configs", "application/json",
                "{\"name\":\"bench-app\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s/bench/app:1\"}".formatted(repo, host), Map.of());
        if (created.statusCode() != 201) {
            throw new IllegalStateException("config not created: " + created.body());
        }
        List<Double> cascade = new ArrayList<>();
        List<Double> cascadeExecutor = new ArrayList<>();
        List<Double> raw = new ArrayList<>();
        for (int i = -1; i < rounds; i++) { // round -1 warms both up
            String content = UUID.randomUUID().toString();
            Path ctx = Files.createDirectories(work.resolve("direct-ctx-" + (i + 1)));
            Files.writeString(ctx.resolve("Dockerfile"), DOCKERFILE);
            Files.writeString(ctx.resolve("app.txt"), content);
            long t0 = System.nanoTime();
            direct.buildAndPush(ctx, host + "/bench/direct:1");
            double directMs = (System.nanoTime() - t0) / 1e6;

            git.commit("bench-app", Map.of("app.txt", content), "round " + i);
            long t1 = System.nanoTime();
            HttpResponse<String> queued = Harness.post(system.build().url() + "/api/build-configs/bench-app/builds", "application/json", "{}", Map.of());
            String id = Results.JSON.readTree(queued.body()).path("id").asText();
            JsonNode build = Harness.await(Duration.ofMinutes(3), Duration.ofMillis(20), () -> Harness.get(system.build().url() + "/api/builds/" + id),
                    b -> b.path("status").asText().matches("succeeded|failed|cancelled|skipped"));
            double cascadeMs = (System.nanoTime() - t1) / 1e6;
            if (!build.path("status").asText().equals("succeeded")) {
                throw new IllegalStateException("build through Cascade did not succeed: " + build);
            }
            double executorMs = Duration.between(OffsetDateTime.parse(build.path("startedAt").asText()),
                    OffsetDateTime.parse(build.path("finishedAt").asText())).toNanos() / 1e6;
            if (i >= 0) {
                raw.add(directMs);
                cascade.add(cascadeMs);
                cascadeExecutor.add(executorMs);
            }
        }
        double ratio = Stats.median(cascade) / Stats.median(raw);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("rounds", rounds);
        out.put("directMs", raw);
        out.put("cascadeMs", cascade);
        out.put("cascadeStartedToFinishedMs", cascadeExecutor);
        out.put("medianDirectMs", Stats.median(raw));
        out.put("medianCascadeMs", Stats.median(cascade));
        out.put("ratio", Stats.round(ratio, 2));
        results.write(key, out);
        results.line("");
        results.line("== 4. build overhead: small Dockerfile, build + push (median of %d, alternating), %s ==", rounds, where);
        results.line("buildah bud + push directly  %7.0f ms", Stats.median(raw));
        results.line("through Cascade (POST -> succeeded) %7.0f ms (started -> finished %7.0f ms)   ratio %.2f (goal <= 1.2)",
                Stats.median(cascade), Stats.median(cascadeExecutor), ratio);
    }
}
