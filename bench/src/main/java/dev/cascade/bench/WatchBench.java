package dev.cascade.bench;

import dev.cascade.testsupport.CascadeSystem;
import dev.cascade.testsupport.LocalRegistry;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgPool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Watching base images: {@code tags} watched tags across five registries (the system's own and four more Distribution
 * registries without notifications), one {@link SyntheticConfigs synthetic config} FROM each tag, every registry polled
 * at {@code CASCADE_WATCH_INTERVAL} with a budget that does not bind. Measured: the first round (every tag's first
 * check), then over one interval the requests sent per minute per registry (build-service's own count,
 * {@code watch_request}), build-service's CPU and RSS, and the time from a tag re-pushed at a random moment to its
 * config's build queued on {@code cascade.builds}, against the interval.
 */
public final class WatchBench {

    static final int REGISTRIES = 5;
    private static final String REPOSITORY = "bench/watched";

    private final CascadeSystem system;
    private final Results results;
    private final Vertx vertx = Vertx.vertx();
    private final PgPool db;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Long> queuedAt = new ConcurrentHashMap<>();
    private final AtomicBoolean stop = new AtomicBoolean();

    private WatchBench(CascadeSystem system, Results results) {
        this.system = system;
        this.results = results;
        this.db = PgPool.pool(vertx, new PgConnectOptions().setHost("localhost").setPort(system.infra().postgresPort())
                .setUser(system.infra().postgresUser()).setPassword(system.infra().postgresUser()).setDatabase("build"),
                new PoolOptions().setMaxSize(2));
    }

    /** The environment the benchmark's system runs with: every registry polled at the interval, budgets that do not bind. */
    static Map<String, String> env(Duration interval) {
        return Map.of("CASCADE_WATCH_INTERVAL", interval.toSeconds() + "s",
                "CASCADE_WATCH_WEBHOOK_REGISTRIES", "webhooks.invalid",
                "CASCADE_WATCH_DEFAULT_BUDGET", "10000000");
    }

    public static void run(CascadeSystem system, Path work, Results results, int tags, Duration interval, int repushes) throws Exception {
        WatchBench bench = new WatchBench(system, results);
        try {
            bench.measure(work, tags, interval, repushes);
        } finally {
            bench.stop.set(true);
            bench.db.close();
            bench.vertx.close();
        }
    }

    private void measure(Path work, int tags, Duration interval, int repushes) throws Exception {
        List<LocalRegistry> extra = new ArrayList<>();
        try {
            for (int r = 1; r < REGISTRIES; r++) {
                extra.add(LocalRegistry.start(work.resolve("registry-" + r), null, null));
            }
            List<LocalRegistry> registries = new ArrayList<>();
            registries.add(system.registry());
            registries.addAll(extra);

            SyntheticConfigs synthetic = new SyntheticConfigs(system, db);
            synthetic.template(work, system.registry().host() + "/bench/template-base:1");
            long tagging = System.nanoTime();
            List<SyntheticConfigs.Config> configs = new ArrayList<>();
            int perRegistry = tags / REGISTRIES;
            for (int r = 0; r < REGISTRIES; r++) {
                LocalRegistry registry = registries.get(r);
                tag(registry, perRegistry);
                for (int i = 0; i < perRegistry; i++) {
                    configs.add(new SyntheticConfigs.Config("w" + r + "-" + i,
                            SyntheticConfigs.canonical(registry.host() + "/" + REPOSITORY + ":t" + i)));
                }
            }
            System.out.printf("watch bench: %d tags in %d registries in %.0f s%n", configs.size(), REGISTRIES, (System.nanoTime() - tagging) / 1e9);
            Thread consumer = new Thread(this::consume, "cascade.builds queued");
            consumer.setDaemon(true);
            consumer.start();

            long inserted = System.nanoTime();
            OffsetDateTime insertedAt = OffsetDateTime.now();
            synthetic.insert(configs);
            int watched = configs.size() + 1; // and the template's base
            Harness.await(Duration.ofMinutes(15), Duration.ofSeconds(1), () -> count("SELECT count(*) FROM watched_image WHERE last_checked_at IS NOT NULL"),
                    n -> n >= watched);
            double firstRound = (System.nanoTime() - inserted) / 1e9;
            long firstRoundRequests = count("SELECT count(*) FROM watch_request WHERE sent_at >= $1", insertedAt);

            // one interval of steady checking, with tags re-pushed at random moments in it
            ProcessHandle build = Harness.process(system.build()).orElseThrow();
            long cpu0 = build.info().totalCpuDuration().orElseThrow().toNanos();
            long t0 = System.nanoTime();
            OffsetDateTime windowStart = OffsetDateTime.now();
            Random random = new Random(7);
            Map<String, Long> pushedAt = new LinkedHashMap<>();
            List<Long> pushMoments = new ArrayList<>();
            for (int k = 0; k < repushes; k++) {
                pushMoments.add(t0 + (long) (random.nextDouble() * interval.toNanos()));
            }
            pushMoments.sort(null);
            List<Double> rss = new ArrayList<>();
            long nextSample = t0;
            int k = 0;
            while (System.nanoTime() - t0 < interval.toNanos()) {
                long now = System.nanoTime();
                if (k < pushMoments.size() && now >= pushMoments.get(k)) {
                    int r = 1 + k % (REGISTRIES - 1); // registries without notifications: only a check can find the push
                    int i = random.nextInt(perRegistry);
                    registries.get(r).push(REPOSITORY, "t" + i);
                    pushedAt.put("w" + r + "-" + i, System.nanoTime());
                    k++;
                }
                if (now >= nextSample) {
                    rss.add(Harness.rssMiB(build.pid()));
                    nextSample += Duration.ofSeconds(5).toNanos();
                }
                Thread.sleep(20);
            }
            double windowSeconds = (System.nanoTime() - t0) / 1e9;
            double cpuShare = (build.info().totalCpuDuration().orElseThrow().toNanos() - cpu0) / 1e9 / windowSeconds;
            Map<String, Long> perRegistryRequests = new LinkedHashMap<>();
            for (Row row : db.preparedQuery("SELECT registry, count(*) FROM watch_request WHERE sent_at >= $1 GROUP BY registry ORDER BY registry")
                    .execute(Tuple.of(windowStart)).toCompletionStage().toCompletableFuture().get()) {
                perRegistryRequests.put(row.getString(0), row.getLong(1));
            }
            long total = perRegistryRequests.values().stream().mapToLong(Long::longValue).sum();

            // every re-pushed tag's config queued (or the wait given up after two more intervals)
            long deadline = System.nanoTime() + interval.multipliedBy(2).toNanos();
            while (System.nanoTime() < deadline && !queuedAt.keySet().containsAll(pushedAt.keySet())) {
                Thread.sleep(100);
            }
            List<Double> latencies = new ArrayList<>();
            Map<String, Object> pushes = new LinkedHashMap<>();
            pushedAt.forEach((config, at) -> {
                Long queued = queuedAt.get(config);
                Double seconds = queued == null ? null : Stats.round((queued - at) / 1e9, 1);
                pushes.put(config, seconds);
                if (seconds != null) {
                    latencies.add(seconds);
                }
            });

            results.line("");
            results.line("== 7. watching base images: %d watched tags in %d registries, CASCADE_WATCH_INTERVAL=%ds (±10%% jitter), budgets not binding ==",
                    watched, REGISTRIES, interval.toSeconds());
            results.line("first round (every tag checked once after the configs appeared): %.0f s, %d requests", firstRound, firstRoundRequests);
            results.line("steady, over %.0f s: %.0f requests/min in all (%.0f expected from tags / interval); per registry %s",
                    windowSeconds, total / windowSeconds * 60, watched / (interval.toSeconds() / 60.0), perMinute(perRegistryRequests, windowSeconds));
            results.line("build-service meanwhile: CPU %.1f%% of one core; RSS median %.0f MiB, max %.0f MiB",
                    cpuShare * 100, Stats.median(rss), rss.stream().mapToDouble(Double::doubleValue).max().orElse(0));
            results.line("re-pushed tag -> its build queued: median %.1f s, max %.1f s over %d of %d re-pushes (interval %d s)",
                    latencies.isEmpty() ? Double.NaN : Stats.median(latencies),
                    latencies.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN), latencies.size(), pushedAt.size(),
                    interval.toSeconds());
            Map<String, Object> raw = new LinkedHashMap<>();
            raw.put("watchedTags", watched);
            raw.put("registries", REGISTRIES);
            raw.put("intervalSeconds", interval.toSeconds());
            raw.put("firstRoundSeconds", Stats.round(firstRound, 1));
            raw.put("firstRoundRequests", firstRoundRequests);
            raw.put("windowSeconds", Stats.round(windowSeconds, 1));
            raw.put("requestsInWindowPerRegistry", perRegistryRequests);
            raw.put("buildServiceCpuShare", Stats.round(cpuShare, 3));
            raw.put("buildServiceRssMiB", rss);
            raw.put("repushToQueuedSeconds", pushes);
            results.write("watch", raw);
        } finally {
            extra.forEach(LocalRegistry::close);
        }
    }

    private static Map<String, Double> perMinute(Map<String, Long> requests, double seconds) {
        Map<String, Double> out = new LinkedHashMap<>();
        requests.forEach((registry, n) -> out.put(registry, Stats.round(n / seconds * 60, 0)));
        return out;
    }

    /** Pushes one image as {@code t0} and tags its manifest {@code t1 … t<n-1>}, sixteen requests at a time. */
    private void tag(LocalRegistry registry, int n) throws Exception {
        registry.push(REPOSITORY, "t0");
        String manifests = "http://" + registry.host() + "/v2/" + REPOSITORY + "/manifests/";
        HttpResponse<byte[]> manifest = http.send(HttpRequest.newBuilder(URI.create(manifests + "t0"))
                .header("Accept", "application/vnd.oci.image.manifest.v1+json").build(), HttpResponse.BodyHandlers.ofByteArray());
        String mediaType = manifest.headers().firstValue("Content-Type").orElseThrow();
        Semaphore inFlight = new Semaphore(16);
        List<CompletableFuture<HttpResponse<Void>>> puts = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            inFlight.acquire();
            puts.add(http.sendAsync(HttpRequest.newBuilder(URI.create(manifests + "t" + i)).header("Content-Type", mediaType)
                            .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest.body())).build(), HttpResponse.BodyHandlers.discarding())
                    .whenComplete((r, e) -> inFlight.release()));
        }
        for (CompletableFuture<HttpResponse<Void>> put : puts) {
            if (put.get().statusCode() != 201) {
                throw new IllegalStateException("tagging in " + registry.host() + " answered " + put.get().statusCode());
            }
        }
    }

    private long count(String sql, Object... params) throws Exception {
        return db.preparedQuery(sql).execute(Tuple.from(params)).toCompletionStage().toCompletableFuture().get().iterator().next().getLong(0);
    }

    private void consume() {
        try (KafkaConsumer<String, String> consumer = Harness.consumer(system, "cascade.builds", "latest")) {
            while (!stop.get()) {
                for (ConsumerRecord<String, String> rec : consumer.poll(Duration.ofMillis(50))) {
                    if ("cascade.build.queued".equals(Harness.header(rec, "ce_type"))) {
                        queuedAt.putIfAbsent(rec.key(), System.nanoTime());
                    }
                }
            }
        }
    }
}
