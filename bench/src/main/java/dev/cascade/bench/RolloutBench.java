package dev.cascade.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.CascadeSystem;
import dev.cascade.testsupport.FollowingDeployment;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.HdrHistogram.Histogram;

/**
 * Push to rollout: a registry notification of a new digest of a tag that a Deployment follows, sent to
 * trigger-service as the registry sends it, until the Deployment in the Kubernetes mock server is patched to
 * that digest (seen through a watch). One push at a time; the next is sent once the rollout has ended.
 */
public final class RolloutBench {

    public static void run(CascadeSystem system, Buildah buildah, String namespace, Results results, int pushes, int warmup)
            throws Exception {
        String repository = "bench/web";
        String host = system.registry().host();
        String tag = host + "/" + repository + ":1";
        Map<String, String> headers = Harness.registryHeaders(system, buildah, repository);
        String trigger = system.trigger().url() + "/webhooks/registry/distribution";

        Map<String, Long> patchedAt = new ConcurrentHashMap<>();
        system.kubernetes().apps().deployments().inNamespace(namespace).resource(FollowingDeployment.of(namespace, "web", tag, 1, 60)).create();
        Watch watch = system.kubernetes().apps().deployments().inNamespace(namespace).withName("web").watch(new Watcher<Deployment>() {
            @Override
            public void eventReceived(Action action, Deployment resource) {
                long now = System.nanoTime();
                String image = resource.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
                patchedAt.putIfAbsent(image, now);
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        });
        // deploy-service follows the new Deployment
        Harness.await(Duration.ofSeconds(30), Duration.ofMillis(50), () -> Harness.get(system.deploy().url() + "/api/workloads"),
                workloads -> workloads.findValuesAsText("name").contains("web"));

        Histogram toPatch = Stats.histogram();
        Histogram ack = Stats.histogram();
        List<Map<String, Object>> raw = new ArrayList<>();
        try {
            for (int i = 0; i < warmup + pushes; i++) {
                String digest = Harness.randomDigest();
                String expected = host + "/" + repository + "@" + digest;
                long t0 = System.nanoTime();
                HttpResponse<String> r = Harness.post(trigger, "application/vnd.docker.distribution.events.v1+json",
                        Harness.distributionPush(host, repository, "1", digest), headers);
                long acked = System.nanoTime();
                if (r.statusCode() != 202) {
                    throw new IllegalStateException("registry notification answered " + r.statusCode() + ": " + r.body());
                }
                String pipeline = Results.JSON.readTree(r.body()).path("pipelineId").asText();
                long patched = Harness.await(Duration.ofSeconds(30), Duration.ofMillis(2), () -> patchedAt.get(expected), x -> true);
                // the rollout is followed to its end before the next push
                Harness.await(Duration.ofSeconds(60), Duration.ofMillis(50),
                        () -> Harness.get(system.deploy().url() + "/api/rollouts?pipeline=" + pipeline),
                        (JsonNode j) -> j.size() > 0 && j.get(0).path("status").asText().matches("succeeded|failed|rolledback|aborted"));
                if (i >= warmup) {
                    toPatch.recordValue((patched - t0) / 1000);
                    ack.recordValue((acked - t0) / 1000);
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("push", i - warmup);
                    row.put("ackMs", (acked - t0) / 1e6);
                    row.put("patchMs", (patched - t0) / 1e6);
                    raw.add(row);
                }
            }
        } finally {
            watch.close();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("pushes", pushes);
        out.put("webhookToPatch", Stats.summary(toPatch));
        out.put("webhookAck", Stats.summary(ack));
        out.put("samples", raw);
        results.write("rollout", out);
        results.line("");
        results.line("== 3. push to rollout: registry webhook -> Deployment patched (%d pushes, %d warm-up) ==", pushes, warmup);
        results.line("webhook -> patch   p50 %7.1f ms  p90 %7.1f ms  p99 %7.1f ms  max %7.1f ms   (goal p50 <= 100, p99 <= 500)",
                Stats.ms(toPatch.getValueAtPercentile(50)), Stats.ms(toPatch.getValueAtPercentile(90)),
                Stats.ms(toPatch.getValueAtPercentile(99)), Stats.ms(toPatch.getMaxValue()));
        results.line("webhook answered  p50 %7.1f ms  p99 %7.1f ms", Stats.ms(ack.getValueAtPercentile(50)), Stats.ms(ack.getValueAtPercentile(99)));
    }
}
