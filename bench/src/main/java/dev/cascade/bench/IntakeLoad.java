package dev.cascade.bench;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.HdrHistogram.Histogram;

/**
 * The load generator, run as a process of its own: a closed loop of {@code concurrency} clients, each posting
 * a signed GitHub push delivery (a new {@code X-GitHub-Delivery} every time) as soon as its previous one was
 * answered. Latency is from the request being written to the whole answer read.
 *
 * <p>Arguments: {@code url secret concurrency warmupSeconds seconds resultFile}.
 */
public final class IntakeLoad {

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0]);
        String secret = args[1];
        int concurrency = Integer.parseInt(args[2]);
        long warmupNanos = Long.parseLong(args[3]) * 1_000_000_000L;
        long measureNanos = Long.parseLong(args[4]) * 1_000_000_000L;
        Path resultFile = Path.of(args[5]);

        byte[] body;
        try (InputStream in = IntakeLoad.class.getResourceAsStream("/github-push.json")) {
            body = in.readAllBytes();
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = "sha256=" + HexFormat.of().formatHex(mac.doFinal(body));
        Buffer payload = Buffer.buffer(body);

        Vertx vertx = Vertx.vertx();
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
                new PoolOptions().setHttp1MaxSize(concurrency).setMaxWaitQueueSize(-1));
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setHost(url.getHost()).setPort(url.getPort())
                .setURI(url.getPath()).putHeader("Content-Type", "application/json").putHeader("X-GitHub-Event", "push")
                .putHeader("X-GitHub-Hook-ID", "4242").putHeader("X-Hub-Signature-256", signature)
                .putHeader("User-Agent", "GitHub-Hookshot/bench");

        Histogram latency = Stats.histogram();
        Map<Integer, Long> statuses = new TreeMap<>();
        AtomicLong errors = new AtomicLong();
        long start = System.nanoTime();
        long measureFrom = start + warmupNanos;
        long end = measureFrom + measureNanos;
        CountDownLatch done = new CountDownLatch(concurrency);
        AtomicLong measured = new AtomicLong();

        class Client {
            void next() {
                long sent = System.nanoTime();
                if (sent >= end) {
                    done.countDown();
                    return;
                }
                RequestOptions request = new RequestOptions(options).putHeader("X-GitHub-Delivery", UUID.randomUUID().toString());
                client.request(request)
                        .compose(req -> req.send(payload))
                        .compose(resp -> resp.body().map(b -> resp.statusCode()))
                        .onComplete(ar -> {
                            long now = System.nanoTime();
                            boolean inWindow = sent >= measureFrom && now <= end;
                            synchronized (latency) {
                                if (ar.succeeded()) {
                                    if (inWindow) {
                                        statuses.merge(ar.result(), 1L, Long::sum);
                                        if (ar.result() < 300) {
                                            latency.recordValue(Math.min((now - sent) / 1000, latency.getHighestTrackableValue()));
                                            measured.incrementAndGet();
                                        }
                                    }
                                } else if (inWindow) {
                                    errors.incrementAndGet();
                                }
                            }
                            next();
                        });
            }
        }
        for (int i = 0; i < concurrency; i++) {
            vertx.runOnContext(x -> new Client().next());
        }
        done.await();
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("url", url.toString());
        result.put("concurrency", concurrency);
        result.put("seconds", measureNanos / 1e9);
        result.put("throughputPerSecond", Stats.round(measured.get() / (measureNanos / 1e9), 1));
        result.putAll(Stats.summary(latency));
        result.put("statuses", statuses);
        result.put("errors", errors.get());
        Results.JSON.writeValue(resultFile.toFile(), result);
        client.close();
        vertx.close();
    }
}
