package dev.cascade.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.CascadeSystem;
import dev.cascade.testsupport.FollowingDeployment;
import dev.cascade.testsupport.GitRepos;
import dev.cascade.testsupport.LocalRegistry;
import dev.cascade.testsupport.ServiceProcess;
import dev.cascade.testsupport.WebhookRecorder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The cascade end to end, with every real part: the three services as shipped, a KRaft broker, PostgreSQL,
 * a Distribution registry whose notifications reach trigger-service, buildah, git repositories, and the
 * Kubernetes mock server with a simulated deployment controller.
 *
 * <p>A diamond: base (pushed to the registry from outside); mid1 FROM base; mid2 FROM base; app FROM mid1
 * with a build stage FROM mid2; and a Deployment running app. A new base rebuilds mid1 and mid2 once each,
 * then app once, then rolls the Deployment to app's new digest, all under the base push's pipeline.
 */
@ExtendWith(RunningSystem.class)
class CascadeEndToEndTests {

    CascadeSystem system;
    String NS;
    ServiceProcess trigger;
    ServiceProcess build;
    ServiceProcess deploy;
    Path work;
    LocalRegistry registry;
    WebhookRecorder recorder;
    KubernetesClient kubeClient;
    GitRepos git;
    Buildah buildah;
    String reg;

    /** The system the diamond runs on: the shared one, whose builds are buildah processes of build-service. */
    CascadeSystem system() throws Exception {
        return RunningSystem.get();
    }

    /** The namespace of that system's workloads. */
    String namespace() {
        return RunningSystem.NAMESPACE;
    }

    @BeforeEach
    void connect() throws Exception {
        system = system();
        NS = namespace();
        trigger = system.trigger();
        build = system.build();
        deploy = system.deploy();
        work = system.work();
        registry = system.registry();
        recorder = system.recorder();
        kubeClient = system.kubernetes();
        reg = registry.host();
        git = new GitRepos(Files.createDirectories(work.resolve("git")));
        buildah = new Buildah(work.resolve("buildah"));
    }

    RequestSpecification at(ServiceProcess service) {
        return given().baseUri(service.url());
    }

    String image(String name) {
        return reg + "/e2e/" + name + ":1";
    }

    /** Pushes a new base image from outside Cascade, as a team publishing a base would. */
    String pushBase(String content) throws Exception {
        pushFromOutside(buildah, work, image("base"), content);
        return registry.digest("e2e/base", "1");
    }

    /**
     * Builds a small image holding {@code content} with buildah and pushes it to the registry from outside Cascade, as a
     * team publishing a base would. Builds can use it as a base: unlike a bare manifest pushed by hand, it has the layer
     * history buildah reads.
     */
    static void pushFromOutside(Buildah buildah, Path work, String image, String content) throws IOException {
        Path ctx = Files.createDirectories(work.resolve("base-" + image.replaceAll("[^a-z0-9]+", "-") + "-" + content));
        Files.writeString(ctx.resolve("base.txt"), content);
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY base.txt /base.txt\n");
        buildah.buildAndPush(ctx, image);
    }

    void config(String name, String dockerfile, String file) throws Exception {
        String repo = git.create(name);
        git.commit(name, Map.of("Dockerfile", dockerfile, file, name), name);
        at(build).contentType("application/json")
                .body("{\"name\":\"%s\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s\"}".formatted(name, repo, image(name)))
                .post("/api/build-configs").then().statusCode(201);
    }

    void buildByHand(String config) {
        String id = at(build).contentType("application/json").body("{}").post("/api/build-configs/" + config + "/builds")
                .then().statusCode(202).extract().path("id");
        String status = await().atMost(Duration.ofMinutes(2)).until(() -> at(build).get("/api/builds/" + id).then().extract().path("status"),
                s -> List.of("succeeded", "failed", "cancelled").contains(s));
        assertThat(status).as(() -> at(build).get("/api/builds/" + id + "/log").asString()).isEqualTo("succeeded");
    }

    /** deploy-service has taken in the push of this digest (so a workload created now is not rolled by it). */
    void awaitDeployServiceSaw(String image, String digest) {
        awaitDeployServiceSaw(deploy, image, digest);
    }

    /** deploy-service has taken in the push of this digest (so a workload created now is not rolled by it). */
    static void awaitDeployServiceSaw(ServiceProcess deploy, String image, String digest) {
        await().atMost(Duration.ofMinutes(1)).until(() -> given().baseUri(deploy.url()).queryParam("image", image).get("/api/image-pushes")
                .then().extract().jsonPath().getList("digest", String.class).contains(digest));
    }

    /** The pipeline build-service started for the push of this digest of an image from outside Cascade, once it has. */
    static UUID pipelineOfPush(ServiceProcess build, String image, String digest) {
        return await().atMost(Duration.ofMinutes(1)).until(() -> {
            JsonPath known = given().baseUri(build.url()).get("/api/images/" + image).then().extract().jsonPath();
            return digest.equals(known.getString("digest")) ? UUID.fromString(known.getString("pipelineId")) : null;
        }, java.util.Objects::nonNull);
    }

    String running(String name) {
        return FollowingDeployment.image(kubeClient, NS, name);
    }

    void deployment(String name, String image) {
        kubeClient.apps().deployments().inNamespace(NS).resource(FollowingDeployment.of(NS, name, image, 2, 60)).create();
    }

    /**
     * What the pipeline did shows on each service's /q/metrics: the base push's webhook, the three builds (each
     * waited in the queue and ran), the cascade of three, the app's rollout, the events each service published and
     * consumed, the outbox drained again, and the consumers' lag per topic.
     */
    void metricsMovedWithThePipeline(Metrics triggerBefore, Metrics buildBefore, Metrics deployBefore) throws IOException {
        Metrics t = await().atMost(Duration.ofSeconds(30)).until(() -> Metrics.of(trigger.url()),
                m -> m.sum("cascade_events_consumed_total", Map.of("outcome", "processed"))
                        > triggerBefore.sum("cascade_events_consumed_total", Map.of("outcome", "processed")));
        var accepted = Map.of("kind", "registry", "sender", "distribution", "outcome", "accepted");
        assertThat(t.sum("cascade_webhook_intake_seconds_count", accepted) - triggerBefore.sum("cascade_webhook_intake_seconds_count", accepted))
                .as("registry webhooks accepted").isGreaterThanOrEqualTo(1);
        var duplicates = Map.of("sender", "distribution", "outcome", "duplicate");
        assertThat(t.sum("cascade_webhook_intake_seconds_count", duplicates) - triggerBefore.sum("cascade_webhook_intake_seconds_count", duplicates))
                .as("the three redeliveries").isEqualTo(3);
        assertThat(t.sum("cascade_events_published_total", Map.of("type", "cascade.image.reported"))
                - triggerBefore.sum("cascade_events_published_total", Map.of("type", "cascade.image.reported"))).isGreaterThanOrEqualTo(1);

        // the sampled gauges run every 5 s: wait for the queue to read empty again
        Metrics b = await().atMost(Duration.ofSeconds(30)).until(() -> Metrics.of(build.url()),
                m -> m.sum("cascade_build_duration_seconds_count", Map.of("status", "succeeded"))
                        - buildBefore.sum("cascade_build_duration_seconds_count", Map.of("status", "succeeded")) >= 3
                        && m.sum("cascade_builds_queued") == 0 && m.sum("cascade_outbox_backlog") == 0);
        assertThat(b.sum("cascade_builds_total", Map.of("status", "succeeded")) - buildBefore.sum("cascade_builds_total", Map.of("status", "succeeded")))
                .isEqualTo(3);
        assertThat(b.sum("cascade_build_queue_wait_seconds_count") - buildBefore.sum("cascade_build_queue_wait_seconds_count")).isEqualTo(3);
        assertThat(b.sum("cascade_build_duration_seconds_sum", Map.of("status", "succeeded"))
                - buildBefore.sum("cascade_build_duration_seconds_sum", Map.of("status", "succeeded"))).isPositive();
        assertThat(b.sum("cascade_cascade_size_count") - buildBefore.sum("cascade_cascade_size_count")).isEqualTo(1);
        assertThat(b.sum("cascade_cascade_size_sum") - buildBefore.sum("cascade_cascade_size_sum")).isEqualTo(3);
        assertThat(b.sum("cascade_outbox_oldest_age_seconds")).isZero();
        assertThat(b.sum("cascade_events_consumed_total", Map.of("outcome", "processed"))
                - buildBefore.sum("cascade_events_consumed_total", Map.of("outcome", "processed"))).isPositive();
        assertThat(b.sum("cascade_events_consumed_total", Map.of("outcome", "dead-lettered"))).isZero();
        assertThat(b.has("kafka_consumer_fetch_manager_records_lag_max")).as("consumer lag per topic in %s", b.names("kafka_")).isTrue();

        Metrics d = await().atMost(Duration.ofSeconds(30)).until(() -> Metrics.of(deploy.url()),
                m -> m.sum("cascade_rollout_duration_seconds_count", Map.of("outcome", "succeeded"))
                        > deployBefore.sum("cascade_rollout_duration_seconds_count", Map.of("outcome", "succeeded")));
        assertThat(d.sum("cascade_rollouts_total", Map.of("outcome", "succeeded"))
                - deployBefore.sum("cascade_rollouts_total", Map.of("outcome", "succeeded"))).isEqualTo(1);
        assertThat(d.sum("cascade_rollouts_total", Map.of("outcome", "rolledback"))).isZero();
        assertThat(d.sum("cascade_rollout_duration_seconds_count", Map.of("outcome", "succeeded"))
                - deployBefore.sum("cascade_rollout_duration_seconds_count", Map.of("outcome", "succeeded"))).isEqualTo(1);

        // every metric the shipped dashboard and alert rules query is one a service serves
        Path observability = Path.of("..", "deploy", "observability");
        Set<String> queried = new TreeSet<>();
        for (String file : List.of("cascade-dashboard.json", "cascade-alerts.yaml")) {
            Matcher m = Pattern.compile("\\b((?:cascade|kafka)_[a-z_]+)").matcher(Files.readString(observability.resolve(file)));
            while (m.find()) {
                queried.add(m.group(1));
            }
        }
        assertThat(queried).as("metrics the dashboard and alerts query").hasSizeGreaterThan(15);
        assertThat(queried).allSatisfy(name -> assertThat(t.has(name) || b.has(name) || d.has(name)).as("%s is served", name).isTrue());
    }

    @Test
    void aNewBaseRebuildsTheDiamondInOrderEachOnceAndRollsTheAppOutUnderOnePipeline() throws Exception {
        // the graph: three configs on an external base, each built once by hand so Cascade knows what they built on
        pushBase("v1");
        config("mid1", "FROM " + image("base") + "\nCOPY mid1.txt /mid1.txt\n", "mid1.txt");
        config("mid2", "FROM " + image("base") + "\nCOPY mid2.txt /mid2.txt\n", "mid2.txt");
        config("app", "FROM " + image("mid2") + " AS tools\nFROM " + image("mid1")
                + "\nCOPY --from=tools /mid2.txt /mid2.txt\nCOPY app.txt /app.txt\n", "app.txt");
        buildByHand("mid1");
        buildByHand("mid2");
        buildByHand("app");
        awaitDeployServiceSaw(image("app"), registry.digest("e2e/app", "1"));
        deployment("web", image("app"));

        // the dry run, before anything happens
        JsonPath impact = at(build).queryParam("image", image("base")).get("/api/impact").then().statusCode(200).extract().jsonPath();
        assertThat(impact.getList("waves.configs.config")).isEqualTo(List.of(List.of("mid1", "mid2"), List.of("app")));
        assertThat(impact.getString("rolloutsUnavailable")).isNull();
        assertThat(impact.getList("rollouts.name", String.class)).containsExactly("web");

        // a new base is pushed to the registry; its notification starts the pipeline
        int deliveriesBefore = recorder.deliveries.size();
        Metrics triggerBefore = Metrics.of(trigger.url()), buildBefore = Metrics.of(build.url()), deployBefore = Metrics.of(deploy.url());
        String newBase = pushBase("v2");
        UUID pipeline = pipelineOfPush(build, image("base"), newBase);

        JsonPath builds = await().atMost(Duration.ofMinutes(4)).until(
                () -> at(build).queryParam("pipeline", pipeline).get("/api/builds").then().extract().jsonPath(),
                j -> j.getList("$").size() == 3 && j.getList("status", String.class).stream().allMatch("succeeded"::equals));
        String appDigest = registry.digest("e2e/app", "1");
        JsonPath rollout = await().atMost(Duration.ofMinutes(2)).until(
                () -> at(deploy).queryParam("pipeline", pipeline).get("/api/rollouts").then().extract().jsonPath(),
                j -> j.getList("status", String.class).contains("succeeded"));

        // each config once, app after both middles, on their new digests; the workload runs app's new digest
        assertThat(builds.getList("config", String.class)).containsExactlyInAnyOrder("mid1", "mid2", "app");
        Map<String, Object> app = builds.getMap("find { it.config == 'app' }");
        for (String mid : List.of("mid1", "mid2")) {
            Map<String, Object> m = builds.getMap("find { it.config == '" + mid + "' }");
            assertThat(OffsetDateTime.parse((String) app.get("startedAt"))).isAfterOrEqualTo(OffsetDateTime.parse((String) m.get("finishedAt")));
            assertThat(builds.getString("find { it.config == '" + mid + "' }.baseDigests['" + image("base") + "']")).isEqualTo(newBase);
        }
        assertThat(registry.files("e2e/app", "1")).containsEntry("base.txt", "v2");
        assertThat(running("web")).isEqualTo(reg + "/e2e/app@" + appDigest);
        assertThat(rollout.getList("name", String.class)).containsExactly("web");

        // the impact dry run predicted exactly these builds and this rollout
        assertThat(builds.getList("config", String.class)).containsExactlyInAnyOrderElementsOf(impact.getList("waves.configs.config.flatten()", String.class));
        assertThat(rollout.getList("name")).isEqualTo(impact.getList("rollouts.name"));

        // the registry's notification of the base push, delivered three more times, changes nothing
        WebhookRecorder.Delivery basePush = recorder.deliveries.subList(deliveriesBefore, recorder.deliveries.size()).stream()
                .filter(d -> new String(d.body(), StandardCharsets.UTF_8).contains(newBase)).findFirst().orElseThrow();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> again = recorder.forward(basePush.headers(), basePush.body());
            assertThat(again.statusCode()).as(again.body()).isEqualTo(200);
            assertThat(again.body()).contains("duplicate").contains(pipeline.toString());
        }
        assertThat(at(build).queryParam("pipeline", pipeline).get("/api/builds").then().extract().jsonPath().getList("$")).hasSize(3);
        for (String config : List.of("mid1", "mid2", "app")) {
            assertThat(at(build).queryParam("config", config).get("/api/builds").then().extract().jsonPath().getList("$")).hasSize(2);
        }
        assertThat(at(deploy).queryParam("namespace", NS).queryParam("workload", "web").get("/api/rollouts").then().extract().jsonPath()
                .getList("$")).hasSize(1);

        // one causal tree on trigger-service: the registry's webhook → the three builds → their images → the rollout
        JsonPath tree = await().atMost(Duration.ofMinutes(1)).until(
                () -> at(trigger).get("/api/pipelines/" + pipeline).then().extract().jsonPath(),
                j -> "succeeded".equals(j.getString("status")) && flatten(j.getMap("root")).stream().anyMatch(n -> n.kind().equals("rollout")));
        List<TreeNode> nodes = flatten(tree.getMap("root"));
        metricsMovedWithThePipeline(triggerBefore, buildBefore, deployBefore);
        TreeNode root = nodes.get(0);
        assertThat(root.kind()).isEqualTo("image");
        assertThat(root.fields()).containsEntry("digest", newBase);
        List<TreeNode> buildNodes = nodes.stream().filter(n -> n.kind().equals("build")).toList();
        assertThat(buildNodes).extracting(TreeNode::name).containsExactlyInAnyOrder("mid1 #2", "mid2 #2", "app #2");
        assertThat(buildNodes).allSatisfy(n -> {
            assertThat(n.status()).isEqualTo("succeeded");
            assertThat(n.parent()).isSameAs(root);
        });
        for (TreeNode b : buildNodes) {
            String config = b.name().substring(0, b.name().indexOf(' '));
            TreeNode pushed = nodes.stream().filter(n -> n.kind().equals("image") && n.parent() == b).findFirst().orElseThrow();
            assertThat(pushed.fields()).containsEntry("image", image(config)).containsEntry("digest", registry.digest("e2e/" + config, "1"));
        }
        TreeNode rolledOut = nodes.stream().filter(n -> n.kind().equals("rollout")).collect(java.util.stream.Collectors.toList()).get(0);
        assertThat(nodes.stream().filter(n -> n.kind().equals("rollout"))).hasSize(1);
        assertThat(rolledOut.status()).isEqualTo("succeeded");
        assertThat(rolledOut.fields()).containsEntry("image", reg + "/e2e/app@" + appDigest);
        assertThat(rolledOut.parent().fields()).containsEntry("image", image("app"));
    }

    /** A node of the pipeline tree as trigger-service serves it, with its parent. */
    record TreeNode(String kind, String name, String status, Map<String, Object> fields, TreeNode parent) {
    }

    @SuppressWarnings("unchecked")
    static List<TreeNode> flatten(Map<String, Object> root) {
        List<TreeNode> out = new ArrayList<>();
        java.util.ArrayDeque<Map.Entry<Map<String, Object>, TreeNode>> todo = new java.util.ArrayDeque<>();
        todo.add(new java.util.AbstractMap.SimpleEntry<>(root, null));
        while (!todo.isEmpty()) {
            var next = todo.poll();
            Map<String, Object> n = next.getKey();
            TreeNode node = new TreeNode((String) n.get("kind"), (String) n.get("name"), (String) n.get("status"),
                    n.get("fields") == null ? Map.of() : (Map<String, Object>) n.get("fields"), next.getValue());
            out.add(node);
            for (Object child : (List<Object>) n.getOrDefault("children", List.of())) {
                todo.add(new java.util.AbstractMap.SimpleEntry<>((Map<String, Object>) child, node));
            }
        }
        return out;
    }
}
