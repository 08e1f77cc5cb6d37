package dev.cascade.deploy.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.cascade.common.events.EventTypes;
import dev.cascade.common.events.Topics;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.CloudEventRecords;
import dev.cascade.testsupport.SimulatedController;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Rollouts against the Kubernetes mock server, with a simulated controller reporting status as a cluster would. */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "deploy"))
class RolloutTests {

    static final String REG = "registry.test:5000";
    static final String NS = "watched";

    @Inject
    KubernetesClient client;

    @KubernetesTestServer
    KubernetesServer server;

    SimulatedController controller;
    KafkaCompanion kafka;

    @BeforeEach
    void start() {
        controller = new SimulatedController(client, (pod, text) -> {
            String[] p = pod.split("/");
            String path = "/api/v1/namespaces/" + p[0] + "/pods/" + p[1] + "/log";
            server.expect().get().withPath(path).andReturn(200, text).always();
            server.expect().get().withPath(path + "?pretty=false").andReturn(200, text).always();
        }, NS, "elsewhere");
        kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers());
    }

    @AfterEach
    void stop() {
        controller.close();
        kafka.close();
    }

    static String digest(char c) {
        return "sha256:" + String.valueOf(c).repeat(64);
    }

    Deployment deploy(String namespace, String name, String image, Map<String, String> annotations) {
        Deployment d = new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace).withAnnotations(annotations).endMetadata()
                .withNewSpec().withReplicas(2).withProgressDeadlineSeconds(30)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage(image).endContainer().endSpec().endTemplate()
                .endSpec().build();
        client.apps().deployments().inNamespace(namespace).resource(d).create();
        // wait until the informer knows it and the controller reported it ready
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            Deployment x = client.apps().deployments().inNamespace(namespace).withName(name).get();
            assertThat(x.getStatus() != null && x.getStatus().getObservedGeneration() != null
                    && x.getStatus().getObservedGeneration().equals(x.getMetadata().getGeneration()))
                    .as("generation %s, status %s", x.getMetadata().getGeneration(), x.getStatus()).isTrue();
        });
        return d;
    }

    static Map<String, String> follows(String from, String policy) {
        return Map.of("cascade.dev/image-triggers", "[{\"from\":\"" + from + "\",\"container\":\"web\",\"policy\":\"" + policy + "\"}]");
    }

    String image(String namespace, String name) {
        return client.apps().deployments().inNamespace(namespace).withName(name).get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    ProducerRecord<String, String> pushed(String repository, String tag, String digest, UUID id, OffsetDateTime time) {
        return CloudEventRecords.event(Topics.IMAGES, REG + "/" + repository, id, EventTypes.IMAGE_PUSHED, id, id, time, """
                {"image":"%s/%s:%s","registry":"%s","repository":"%s","tag":"%s","digest":"%s","sender":"distribution"}"""
                .formatted(REG, repository, tag, REG, repository, tag, digest));
    }

    void send(ProducerRecord<String, String> record) {
        kafka.produce(Serdes.String(), Serdes.String()).fromRecords(record).awaitCompletion();
    }

    JsonPath rollouts(String name) {
        return given().queryParam("namespace", NS).queryParam("workload", name).get("/api/rollouts").then().statusCode(200).extract().jsonPath();
    }

    JsonPath awaitRollout(String name, String status) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> rollouts(name), r -> r.getList("status").contains(status));
    }

    @Test
    void aNewDigestRollsOutToTheImmutableReferenceAndIsFollowedToSuccess() {
        deploy(NS, "web", REG + "/team/web:1", follows(REG + "/team/web:1", "digest"));
        UUID event = UUID.randomUUID();
        try (var events = kafka.consume(Serdes.String(), Serdes.String()).fromTopics(Topics.ROLLOUTS)) {
            send(pushed("team/web", "1", digest('a'), event, OffsetDateTime.now()));

            JsonPath r = awaitRollout("web", "succeeded");
            assertThat(r.getString("[0].image")).isEqualTo(REG + "/team/web@" + digest('a'));
            assertThat(r.getString("[0].previousImage")).isEqualTo(REG + "/team/web:1");
            assertThat(r.getString("[0].pipelineId")).isEqualTo(event.toString());
            assertThat(image(NS, "web")).isEqualTo(REG + "/team/web@" + digest('a'));

            await().atMost(Duration.ofSeconds(15)).until(() -> events.getRecords().stream()
                    .filter(e -> (NS + "/Deployment/web").equals(e.key()))
                    .map(e -> CloudEventRecords.header(e.headers(), "ce_type")).toList()
                    .containsAll(List.of("cascade.rollout.started", "cascade.rollout.succeeded")));
            events.getRecords().stream().filter(e -> (NS + "/Deployment/web").equals(e.key())).forEach(e ->
                    assertThat(CloudEventRecords.header(e.headers(), "ce_pipelineid")).isEqualTo(event.toString()));
        }
    }

    @Test
    void aStuckRolloutHitsItsProgressDeadlineAndIsRolledBack() {
        deploy(NS, "stuck", REG + "/team/stuck:1", follows(REG + "/team/stuck:1", "digest"));
        controller.stuckImages.add(REG + "/team/stuck@" + digest('b'));
        send(pushed("team/stuck", "1", digest('b'), UUID.randomUUID(), OffsetDateTime.now()));

        JsonPath r = awaitRollout("stuck", "rolledback");
        assertThat(r.getString("[0].reason")).contains("ProgressDeadlineExceeded").contains("rolled back to " + REG + "/team/stuck:1");
        assertThat(image(NS, "stuck")).isEqualTo(REG + "/team/stuck:1");
    }

    @Test
    void aNewerImageArrivingMidRolloutSupersedesTheRunningOne() {
        deploy(NS, "busy", REG + "/team/busy:1", follows(REG + "/team/busy:1", "digest"));
        String first = REG + "/team/busy@" + digest('c');
        String second = REG + "/team/busy@" + digest('d');
        controller.heldImages.add(first);
        send(pushed("team/busy", "1", digest('c'), UUID.randomUUID(), OffsetDateTime.now()));
        await().atMost(Duration.ofSeconds(15)).until(() -> image(NS, "busy").equals(first));
        awaitRollout("busy", "progressing");

        send(pushed("team/busy", "1", digest('d'), UUID.randomUUID(), OffsetDateTime.now()));
        JsonPath r = awaitRollout("busy", "succeeded");
        assertThat(image(NS, "busy")).isEqualTo(second);
        assertThat(r.getList("status")).containsExactly("succeeded", "superseded");
        assertThat(r.getString("[1].reason")).isEqualTo("superseded by " + second);
    }

    @Test
    void anOlderImageDeliveredLateNeverReplacesANewerOne() {
        deploy(NS, "late", REG + "/team/late:1", follows(REG + "/team/late:1", "digest"));
        OffsetDateTime now = OffsetDateTime.now();
        send(pushed("team/late", "1", digest('f'), UUID.randomUUID(), now));
        awaitRollout("late", "succeeded");

        send(pushed("team/late", "1", digest('e'), UUID.randomUUID(), now.minusMinutes(5)));
        JsonPath r = awaitRollout("late", "superseded");
        assertThat(r.getString("[0].reason")).contains("older than");
        assertThat(image(NS, "late")).isEqualTo(REG + "/team/late@" + digest('f'));
    }

    @Test
    void aFailingPreRolloutHookLeavesTheWorkloadUntouched() {
        Map<String, String> annotations = new java.util.HashMap<>(follows(REG + "/team/migrate:1", "digest"));
        annotations.put("cascade.dev/pre-rollout-hook", "{\"command\":[\"manage.py\",\"migrate\",\"--fail\"]}");
        deploy(NS, "migrate", REG + "/team/migrate:1", annotations);
        send(pushed("team/migrate", "1", digest('1'), UUID.randomUUID(), OffsetDateTime.now()));

        JsonPath r = awaitRollout("migrate", "failed");
        assertThat(r.getString("[0].reason")).contains("pre-rollout hook").contains("left untouched");
        assertThat(r.getString("[0].hookJob")).startsWith("migrate-pre-");
        assertThat(r.getString("[0].hookLog")).contains("error: migration 0042 failed");
        assertThat(image(NS, "migrate")).isEqualTo(REG + "/team/migrate:1");
        var job = client.batch().v1().jobs().inNamespace(NS).withName(r.getString("[0].hookJob")).get();
        assertThat(job.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo(REG + "/team/migrate@" + digest('1'));
    }

    @Test
    void preAndPostRolloutHooksRunFromTheNewImageAroundThePatch() {
        Map<String, String> annotations = new java.util.HashMap<>(follows(REG + "/team/hooked:1", "digest"));
        annotations.put("cascade.dev/pre-rollout-hook", "{\"command\":[\"manage.py\",\"migrate\"]}");
        annotations.put("cascade.dev/post-rollout-hook", "{\"command\":[\"./notify\"]}");
        deploy(NS, "hooked", REG + "/team/hooked:1", annotations);
        send(pushed("team/hooked", "1", digest('2'), UUID.randomUUID(), OffsetDateTime.now()));

        JsonPath r = awaitRollout("hooked", "succeeded");
        assertThat(image(NS, "hooked")).isEqualTo(REG + "/team/hooked@" + digest('2'));
        String id = r.getString("[0].id");
        var pre = client.batch().v1().jobs().inNamespace(NS).withName("hooked-pre-" + id.substring(0, 8)).get();
        assertThat(pre.getStatus().getSucceeded()).isEqualTo(1);
        assertThat(pre.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo(REG + "/team/hooked@" + digest('2'));
        // the post-rollout hook runs once the rollout has succeeded, from the same image
        var post = client.batch().v1().jobs().inNamespace(NS).withName("hooked-post-" + id.substring(0, 8)).get();
        assertThat(post).isNotNull();
        assertThat(post.getSpec().getTemplate().getSpec().getContainers().get(0).getCommand()).containsExactly("./notify");
        assertThat(r.getString("[0].hookJob")).isEqualTo(post.getMetadata().getName());
    }

    @Test
    void theImpactDryRunListsTheWorkloadsFollowingTheImagesAndChangesNothing() {
        deploy(NS, "impact-web", REG + "/team/impact:1", follows(REG + "/team/impact:1", "digest"));
        deploy(NS, "impact-held", REG + "/team/impact:1", follows(REG + "/team/impact:1", "digest"));
        deploy(NS, "impact-worker", REG + "/team/impact-worker:1", follows(REG + "/team/impact-worker:1", "digest"));
        deploy(NS, "impact-plain", REG + "/team/impact:1", Map.of());
        given().post("/api/workloads/" + NS + "/Deployment/impact-held/pause").then().statusCode(204);

        JsonPath impact = given().queryParam("image", REG + "/team/impact:1").queryParam("image", REG + "/team/impact-worker:1")
                .get("/api/impact/workloads").then().statusCode(200).extract().jsonPath();

        assertThat(impact.getList("name", String.class)).containsExactlyInAnyOrder("impact-web", "impact-held", "impact-worker");
        assertThat(impact.getString("find { it.name == 'impact-worker' }.image")).isEqualTo(REG + "/team/impact-worker:1");
        assertThat(impact.getBoolean("find { it.name == 'impact-held' }.paused")).isTrue();
        assertThat(impact.getBoolean("find { it.name == 'impact-web' }.paused")).isFalse();
        assertThat(image(NS, "impact-web")).isEqualTo(REG + "/team/impact:1");
        assertThat(rollouts("impact-web").getList("$")).isEmpty();
        given().queryParam("image", "Not An Image").get("/api/impact/workloads").then().statusCode(400);
    }

    @Test
    void workloadsWithoutTheAnnotationOrOutsideWatchedNamespacesAreLeftAlone() {
        deploy(NS, "plain", REG + "/team/shared:1", Map.of());
        deploy("elsewhere", "remote", REG + "/team/shared:1", follows(REG + "/team/shared:1", "digest"));
        deploy(NS, "marker", REG + "/team/shared:1", follows(REG + "/team/shared:1", "digest"));
        send(pushed("team/shared", "1", digest('3'), UUID.randomUUID(), OffsetDateTime.now()));

        awaitRollout("marker", "succeeded");
        assertThat(image(NS, "plain")).isEqualTo(REG + "/team/shared:1");
        assertThat(image("elsewhere", "remote")).isEqualTo(REG + "/team/shared:1");
        assertThat(rollouts("plain").getList("$")).isEmpty();
        given().queryParam("namespace", "elsewhere").get("/api/rollouts").then().body("$", hasSize(0));
    }

    @Test
    void aRedeliveredImageEventIsActedOnOnce() {
        deploy(NS, "once", REG + "/team/once:1", follows(REG + "/team/once:1", "digest"));
        ProducerRecord<String, String> event = pushed("team/once", "1", digest('4'), UUID.randomUUID(), OffsetDateTime.now());
        send(event);
        send(event);
        send(event);
        awaitRollout("once", "succeeded");
        // a later event on the same key is processed after the copies
        send(pushed("team/once", "marker", digest('5'), UUID.randomUUID(), OffsetDateTime.now()));
        await().atMost(Duration.ofSeconds(15)).until(() -> given().queryParam("image", REG + "/team/once:marker").get("/api/image-pushes")
                .then().extract().jsonPath().getList("$").size() == 1);
        assertThat(rollouts("once").getList("$")).hasSize(1);
    }

    @Test
    void approvalGatesPausesAndManualRollbacks() {
        deploy(NS, "gated", REG + "/team/gated:1", follows(REG + "/team/gated:1", "digest"));
        given().put("/api/namespaces/" + NS + "/approval-gate").then().statusCode(204);
        try {
            send(pushed("team/gated", "1", digest('6'), UUID.randomUUID(), OffsetDateTime.now()));
            String id = awaitRollout("gated", "awaiting-approval").getString("[0].id");
            assertThat(image(NS, "gated")).isEqualTo(REG + "/team/gated:1");
            given().post("/api/rollouts/" + id + "/approve").then().statusCode(200).body("status", equalTo("pending"));
            awaitRollout("gated", "succeeded");
        } finally {
            given().delete("/api/namespaces/" + NS + "/approval-gate").then().statusCode(204);
        }
        assertThat(image(NS, "gated")).isEqualTo(REG + "/team/gated@" + digest('6'));

        given().post("/api/workloads/" + NS + "/Deployment/gated/rollback").then().statusCode(200).body("status", equalTo("rolledback"));
        assertThat(image(NS, "gated")).isEqualTo(REG + "/team/gated:1");

        given().post("/api/workloads/" + NS + "/Deployment/gated/pause").then().statusCode(204);
        send(pushed("team/gated", "1", digest('7'), UUID.randomUUID(), OffsetDateTime.now()));
        JsonPath r = awaitRollout("gated", "aborted");
        assertThat(r.getString("[0].reason")).contains("paused");
        assertThat(image(NS, "gated")).isEqualTo(REG + "/team/gated:1");
        given().post("/api/workloads/" + NS + "/Deployment/gated/resume").then().statusCode(204);
    }
}
