package dev.cascade.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.infra.InfraProcess;
import dev.cascade.testsupport.CascadeSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Webhook intake: signed GitHub push deliveries, each with a new delivery id, from a load generator in a
 * process of its own ({@link IntakeLoad}), against trigger-service and against the floor ({@link FloorServer},
 * on the same PostgreSQL and Kafka), alternately, several rounds.
 */
public final class IntakeBench {

    public static final String SECRET = "bench-github-secret";

    /**
     * @param firstWarmupSeconds the warm-up of each side's first round: on two shared cores the services' JIT compiler
     *                           was still busy (several seconds of C2 compilation in a 12 s window) after 45 s of load
     * @param warmupSeconds      the warm-up of every later round
     */
    public static void run(CascadeSystem system, Results results, int rounds, int concurrency, int firstWarmupSeconds, int warmupSeconds,
                           int seconds) throws Exception {
        // intake is trigger-service's part: build- and deploy-service would only consume its events, and on two shared
        // cores they would take CPU from it that the floor, which nothing consumes, keeps (2026-11-30: about 55 %)
        system.build().close();
        system.deploy().close();
        int floorPort = InfraProcess.freePorts(1)[0];
        Process floor = java(FloorServer.class, system.work().resolve("floor.log"), Integer.toString(floorPort),
                Integer.toString(system.infra().postgresPort()), system.infra().postgresUser(), system.infra().kafkaBootstrapServers());
        try {
            awaitReady(floor, system.work().resolve("floor.log"));
            List<JsonNode> cascade = new ArrayList<>();
            List<JsonNode> raw = new ArrayList<>();
            for (int round = 0; round < rounds; round++) {
                int warmup = round == 0 ? firstWarmupSeconds : warmupSeconds;
                raw.add(load(results, "floor-" + round, "http://127.0.0.1:" + floorPort + "/deliveries", concurrency, warmup, seconds));
                cascade.add(load(results, "trigger-" + round, system.trigger().url() + "/webhooks/git/github", concurrency, warmup, seconds));
            }
            List<Double> ratios = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                ratios.add(cascade.get(i).path("throughputPerSecond").asDouble() / raw.get(i).path("throughputPerSecond").asDouble());
            }
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("concurrency", concurrency);
            out.put("trigger", cascade);
            out.put("floor", raw);
            out.put("throughputRatios", ratios);
            results.write("intake", out);
            results.line("");
            results.line("== 1. webhook intake: signed GitHub pushes, closed loop of %d clients, %d rounds of %ds (+%ds warm-up, %ds before the first) ==",
                    concurrency, rounds, seconds, warmupSeconds, firstWarmupSeconds);
            line(results, "trigger-service", cascade);
            line(results, "floor (PG+Kafka)", raw);
            results.line("throughput ratio trigger/floor: median %.2f %s   (goal >= 3000/s, p99 <= 50 ms, ratio >= 0.5)",
                    Stats.median(ratios), ratios.stream().map(r -> String.format("%.2f", r)).toList());
        } finally {
            floor.destroy();
            floor.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void line(Results results, String what, List<JsonNode> runs) {
        results.line("%-17s %8.0f /s   p50 %6.1f ms   p99 %6.1f ms   (medians over rounds; per round: %s /s)", what,
                median(runs, "throughputPerSecond"), median(runs, "p50Ms"), median(runs, "p99Ms"),
                runs.stream().map(r -> String.format("%.0f", r.path("throughputPerSecond").asDouble())).toList());
    }

    private static double median(List<JsonNode> runs, String field) {
        return Stats.median(runs.stream().map(r -> r.path(field).asDouble()).toList());
    }

    private static JsonNode load(Results results, String name, String url, int concurrency, int warmup, int seconds) throws Exception {
        Path out = results.dir().resolve("intake-" + name + ".json");
        Process p = java(IntakeLoad.class, results.dir().resolve("intake-" + name + ".log"), url, SECRET, Integer.toString(concurrency),
                Integer.toString(warmup), Integer.toString(seconds), out.toString());
        if (!p.waitFor(warmup + seconds + 120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            p.destroyForcibly();
            throw new IllegalStateException("load generator failed; see intake-" + name + ".log");
        }
        JsonNode r = Results.JSON.readTree(out.toFile());
        System.out.printf("  %-10s %8.0f /s  p50 %6.1f ms  p99 %6.1f ms  statuses %s errors %s%n", name, r.path("throughputPerSecond").asDouble(),
                r.path("p50Ms").asDouble(), r.path("p99Ms").asDouble(), r.path("statuses"), r.path("errors"));
        return r;
    }

    /** Starts a main of this module in a JVM of its own, with this JVM's classpath. */
    static Process java(Class<?> main, Path log, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), main.getName()));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    private static void awaitReady(Process p, Path log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("floor server exited; see " + log);
            }
            if (java.nio.file.Files.readString(log).contains("ready")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("floor server not ready; see " + log);
    }
}
