package dev.cascade.bench;

import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.CascadeSystem;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgPool;
import io.vertx.sqlclient.PoolOptions;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;

/**
 * Cascade planning: synthetic graphs of 1,000 and then 10,000 configs, in families of different shape, each
 * family on a base image of its own. A registry notification of a new digest of one family's base is sent to
 * trigger-service; the time is until every config of that family has its {@code cascade.build.queued} event on
 * {@code cascade.builds}, counted by a plain Kafka consumer.
 *
 * <p>The configs are {@link SyntheticConfigs}: their builds fail at checkout and each family's subtree is then skipped;
 * the next push is sent once {@code cascade.builds} has been quiet.
 */
public final class CascadeBench {

    /** A family of configs: {@code size} configs on one base; config i builds FROM config (i-1)/fanout, or all FROM the base when fanout is 0. */
    record Family(String name, int size, int fanout) {
        int depth() {
            if (fanout == 0) {
                return 1;
            }
            int depth = 0;
            for (int i = size - 1; ; i = (i - 1) / fanout) {
                depth++;
                if (i == 0) {
                    return depth;
                }
            }
        }
    }

    private final CascadeSystem system;
    private final Results results;
    private final String host;
    private final PgPool db;
    private final Vertx vertx = Vertx.vertx();
    private final Map<String, PipelineCount> counts = new ConcurrentHashMap<>();
    private final AtomicLong lastEvent = new AtomicLong(System.nanoTime());
    private final AtomicBoolean stop = new AtomicBoolean();
    private final SyntheticConfigs synthetic;
    private int configs;

    /** Queued events seen for one pipeline. */
    static final class PipelineCount {
        final AtomicLong queued = new AtomicLong();
        volatile long first;
        volatile long last;
    }

    CascadeBench(CascadeSystem system, Results results) {
        this.system = system;
        this.results = results;
        this.host = system.registry().host();
        this.db = PgPool.pool(vertx, new PgConnectOptions().setHost("localhost").setPort(system.infra().postgresPort())
                .setUser(system.infra().postgresUser()).setPassword(system.infra().postgresUser()).setDatabase("build"),
                new PoolOptions().setMaxSize(2));
        this.synthetic = new SyntheticConfigs(system, db);
    }

    public static void run(CascadeSystem system, Buildah buildah, Path work, Results results, int repeats) throws Exception {
        new CascadeBench(system, results).measure(buildah, work, repeats);
    }

    void measure(Buildah buildah, Path work, int repeats) throws Exception {
        Map<String, String> headers = Harness.registryHeaders(system, buildah, "bench/cascade-probe");
        synthetic.template(work, host + "/bench/template-base:1");
        configs = 1;
        Thread consumer = new Thread(this::consume, "cascade.builds counter");
        consumer.setDaemon(true);
        consumer.start();

        List<Map<String, Object>> raw = new ArrayList<>();
        results.line("");
        results.line("== 2. cascade planning: base-image webhook -> every affected build queued on cascade.builds (median of %d) ==", repeats);
        results.line("CASCADE_BUILD_COALESCE_WINDOW=0s (no coalescing wait), CASCADE_BUILD_CONCURRENCY=1; synthetic configs inserted with SQL");
        results.line("%-8s %-10s %9s %6s %7s   %10s %10s   %s", "graph", "family", "affected", "depth", "fanout", "median ms", "first ms", "runs ms");
        Family t10 = new Family("t10", 1000, 10);
        insert(t10);
        push(headers, t10, null); // warm-up
        raw.addAll(scenario(headers, t10, repeats));

        List<Family> measured = List.of(new Family("flat", 1000, 0), new Family("bin", 1000, 2), new Family("chain", 100, 1),
                new Family("t10s", 100, 10), new Family("tiny", 10, 10));
        for (Family f : measured) {
            insert(f);
        }
        for (int k = 0; configs < 10_000; k++) {
            insert(new Family("fill" + k, Math.min(100, 10_000 - configs), 5));
        }
        db.query("ANALYZE").execute().toCompletionStage().toCompletableFuture().get();
        raw.addAll(scenario(headers, t10, repeats));
        for (Family f : measured) {
            raw.addAll(scenario(headers, f, repeats));
        }
        results.write("cascade", raw);
        stop.set(true);
        consumer.join(5000);
        db.close();
        vertx.close();
    }

    private List<Map<String, Object>> scenario(Map<String, String> headers, Family f, int repeats) throws Exception {
        List<Map<String, Object>> rows = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        List<Double> first = new ArrayList<>();
        for (int i = 0; i < repeats; i++) {
            Map<String, Object> row = push(headers, f, i);
            rows.add(row);
            all.add((Double) row.get("allQueuedMs"));
            first.add((Double) row.get("firstQueuedMs"));
        }
        results.line("%-8s %-10s %9d %6d %7s   %10.0f %10.0f   %s", configs, f.name(), f.size(), f.depth(),
                f.fanout() == 0 ? "all" : Integer.toString(f.fanout()), Stats.median(all), Stats.median(first),
                all.stream().map(v -> String.format("%.0f", v)).toList());
        return rows;
    }

    /** One push of a new digest of the family's base; waits for all its queued events, then for quiet. */
    private Map<String, Object> push(Map<String, String> headers, Family f, Integer run) throws Exception {
        awaitQuiet();
        String repository = "bench/base-" + f.name();
        long t0 = System.nanoTime();
        HttpResponse<String> r = Harness.post(system.trigger().url() + "/webhooks/registry/distribution",
                "application/vnd.docker.distribution.events.v1+json", Harness.distributionPush(host, repository, "1", Harness.randomDigest()), headers);
        long acked = System.nanoTime();
        String pipeline = Results.JSON.readTree(r.body()).path("pipelineId").asText();
        PipelineCount c = counts.computeIfAbsent(pipeline, k -> new PipelineCount());
        boolean complete = true;
        try {
            Harness.await(Duration.ofMinutes(3), Duration.ofMillis(5), () -> c.queued.get(), n -> n >= f.size());
        } catch (IllegalStateException timedOut) {
            complete = false;
        }
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("graph", configs);
        row.put("family", f.name());
        row.put("affected", f.size());
        row.put("depth", f.depth());
        row.put("fanout", f.fanout());
        row.put("run", run == null ? "warm-up" : run);
        row.put("webhookAnsweredMs", (acked - t0) / 1e6);
        row.put("firstQueuedMs", c.first == 0 ? null : (c.first - t0) / 1e6);
        row.put("allQueuedMs", (c.last - t0) / 1e6);
        row.put("queued", c.queued.get());
        row.put("complete", complete);
        return row;
    }

    private void awaitQuiet() throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
        while (System.nanoTime() - lastEvent.get() < Duration.ofSeconds(3).toNanos() && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    private void consume() {
        try (KafkaConsumer<String, String> consumer = Harness.consumer(system, "cascade.builds", "earliest")) {
            while (!stop.get()) {
                var records = consumer.poll(Duration.ofMillis(50));
                long now = System.nanoTime();
                for (ConsumerRecord<String, String> rec : records) {
                    lastEvent.set(now);
                    if (!"cascade.build.queued".equals(Harness.header(rec, "ce_type"))) {
                        continue;
                    }
                    PipelineCount c = counts.computeIfAbsent(String.valueOf(Harness.header(rec, "ce_pipelineid")), k -> new PipelineCount());
                    if (c.queued.getAndIncrement() == 0) {
                        c.first = now;
                    }
                    c.last = now;
                }
            }
        }
    }


    // ---- the synthetic graph ----------------------------------------------------------------

    private void insert(Family f) throws Exception {
        String base = canonical(host + "/bench/base-" + f.name() + ":1");
        List<SyntheticConfigs.Config> family = new ArrayList<>();
        for (int i = 0; i < f.size(); i++) {
            String input = i == 0 || f.fanout() == 0 ? base : canonical(host + "/bench/" + f.name() + "-" + ((i - 1) / f.fanout()) + ":1");
            family.add(new SyntheticConfigs.Config(f.name() + "-" + i, input));
        }
        synthetic.insert(family);
        configs += f.size();
    }

    static String canonical(String ref) {
        return SyntheticConfigs.canonical(ref);
    }
}
