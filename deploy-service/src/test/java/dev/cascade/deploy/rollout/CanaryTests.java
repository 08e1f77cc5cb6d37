package dev.cascade.deploy.rollout;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

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
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Canary-first rollouts of base-image cascades, against the Kubernetes mock server with the simulated controller:
 * canaries roll out first, the rest wait for them to soak, and a failed canary holds the rest until the pipeline is
 * resumed or aborted.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "deploy"))
class CanaryTests {

    static final String REG = "registry.test:5000";
    static final String NS = "watched";

    @Inject
    KubernetesClient client;

    SimulatedController controller;
    KafkaCompanion kafka;

    @BeforeEach
    void start() {
        controller = new SimulatedController(client, (pod, text) -> { }, NS);
        kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers());
    }

    @AfterEach
    void stop() {
        controller.close();
        kafka.close();
    }

    @Test
    void aCanaryThatFailsItsRolloutHoldsTheRestOfTheCascadeUntilItIsResumed() {
        String base = REG + "/team/held:1";
        deploy("held-canary", base, canary(base, "3s"));
        deploy("held-web", base, follows(base));
        deploy("held-worker", base, follows(base));
        controller.stuckImages.add(REG + "/team/held@" + digest('a'));
        UUID pipeline = UUID.randomUUID();
        try (var events = kafka.consume(Serdes.String(), Serdes.String()).fromTopics(Topics.ROLLOUTS)) {
            send(root("team/held", "1", digest('a'), pipeline));

            awaitRollout("held-canary", "rolledback");
            JsonPath web = awaitRollout("held-web", "held");
            assertThat(web.getString("[0].reason")).startsWith("canary " + NS + "/Deployment/held-canary failed: ")
                    .contains("ProgressDeadlineExceeded");
            awaitRollout("held-worker", "held");
            assertThat(image("held-web")).isEqualTo(base);
            assertThat(image("held-worker")).isEqualTo(base);
            given().get("/api/pipelines/" + pipeline + "/canary").then().statusCode(200).body("status", equalTo("held"));
            // the pipeline tree learns of the hold from the events
            await().atMost(Duration.ofSeconds(15)).until(() -> events.getRecords().stream()
                    .anyMatch(e -> (NS + "/Deployment/held-web").equals(e.key())
                            && "cascade.rollout.held".equals(CloudEventRecords.header(e.headers(), "ce_type"))
                            && pipeline.toString().equals(CloudEventRecords.header(e.headers(), "ce_pipelineid"))));

            // whoever resumes has judged the canary's failure its own: the image itself rolls out elsewhere
            controller.stuckImages.remove(REG + "/team/held@" + digest('a'));
            given().post("/api/pipelines/" + pipeline + "/resume").then().statusCode(200).body("status", equalTo("resumed"));
            awaitRollout("held-web", "succeeded");
            awaitRollout("held-worker", "succeeded");
            assertThat(image("held-web")).isEqualTo(REG + "/team/held@" + digest('a'));
            assertThat(image("held-canary")).isEqualTo(base);
            given().post("/api/pipelines/" + pipeline + "/resume").then().statusCode(409);
        }
    }

    @Test
    void abortingAHeldCascadeEndsItsHeldRolloutsAndItsLaterOnes() {
        String base = REG + "/team/abort:1";
        String app = REG + "/team/abort-app:1";
        deploy("abort-canary", base, canary(base, "3s"));
        deploy("abort-web", base, follows(base));
        deploy("abort-app", app, follows(app));
        controller.stuckImages.add(REG + "/team/abort@" + digest('b'));
        UUID pipeline = UUID.randomUUID();
        send(root("team/abort", "1", digest('b'), pipeline));
        awaitRollout("abort-web", "held");

        given().post("/api/pipelines/" + pipeline + "/abort").then().statusCode(200).body("status", equalTo("aborted"));
        JsonPath web = awaitRollout("abort-web", "aborted");
        assertThat(web.getString("[0].reason")).startsWith("the cascade's remaining rollouts were aborted");
        // a later wave of the same cascade: an image a build pushed in the pipeline
        send(built("team/abort-app", "1", digest('c'), pipeline));
        awaitRollout("abort-app", "aborted");
        assertThat(image("abort-web")).isEqualTo(base);
        assertThat(image("abort-app")).isEqualTo(app);
        given().post("/api/pipelines/" + pipeline + "/resume").then().statusCode(409);
        given().post("/api/pipelines/" + UUID.randomUUID() + "/abort").then().statusCode(404);
    }

    @Test
    void aCanaryThatBecomesUnavailableDuringItsSoakHoldsTheRest() {
        String base = REG + "/team/soak:1";
        String app = REG + "/team/soak-app:1";
        deploy("soak-canary", base, canary(base, "60s"));
        deploy("soak-web", base, follows(base));
        deploy("soak-app", app, follows(app));
        UUID pipeline = UUID.randomUUID();
        send(root("team/soak", "1", digest('d'), pipeline));

        awaitRollout("soak-canary", "succeeded");
        await().atMost(Duration.ofSeconds(10)).until(() -> "soaking".equals(canaryStage(pipeline).getString("status")));
        assertThat(rollouts("soak-web").getString("[0].status")).isEqualTo("waiting");
        // a later wave of the cascade, while its canary soaks, waits too
        send(built("team/soak-app", "1", digest('g'), pipeline));
        assertThat(awaitRollout("soak-app", "waiting").getString("[0].reason")).isEqualTo("waiting for the cascade's canaries to roll out and soak");
        assertThat(image("soak-web")).isEqualTo(base);

        controller.degrade(NS, "soak-canary");
        String why = "canary " + NS + "/Deployment/soak-canary became unavailable during its soak: 1 of 2 replicas available";
        assertThat(awaitRollout("soak-web", "held").getString("[0].reason")).isEqualTo(why);
        assertThat(awaitRollout("soak-app", "held").getString("[0].reason")).isEqualTo(why);
        assertThat(image("soak-web")).isEqualTo(base);
        assertThat(image("soak-app")).isEqualTo(app);
    }

    @Test
    void canariesThatStayHealthyForTheirSoakLetTheRestOfTheCascadeGo() {
        String base = REG + "/team/pass:1";
        String app = REG + "/team/pass-app:1";
        deploy("pass-canary", base, canary(base, "3s"));
        deploy("pass-web", base, follows(base));
        deploy("pass-app", app, follows(app));

        // the impact dry run names the canaries: by annotation, or every workload of a canary namespace
        JsonPath impact = given().queryParam("image", base).get("/api/impact/workloads").then().statusCode(200).extract().jsonPath();
        assertThat(impact.getBoolean("find { it.name == 'pass-canary' }.canary")).isTrue();
        assertThat(impact.getBoolean("find { it.name == 'pass-web' }.canary")).isFalse();
        given().put("/api/namespaces/" + NS + "/canary").then().statusCode(204);
        try {
            impact = given().queryParam("image", base).get("/api/impact/workloads").then().statusCode(200).extract().jsonPath();
            assertThat(impact.getBoolean("find { it.name == 'pass-web' }.canary")).isTrue();
        } finally {
            given().delete("/api/namespaces/" + NS + "/canary").then().statusCode(204);
        }

        UUID pipeline = UUID.randomUUID();
        send(root("team/pass", "1", digest('e'), pipeline));
        JsonPath canary = awaitRollout("pass-canary", "succeeded");
        JsonPath web = awaitRollout("pass-web", "succeeded");
        assertThat(canary.getBoolean("[0].canary")).isTrue();
        // the rest started only once the canary had stayed healthy for its soak
        OffsetDateTime canaryDone = OffsetDateTime.parse(canary.getString("[0].finishedAt"));
        OffsetDateTime webDone = OffsetDateTime.parse(web.getString("[0].finishedAt"));
        assertThat(Duration.between(canaryDone, webDone)).isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(canaryStage(pipeline).getString("status")).isEqualTo("passed");

        // a later wave of a cascade whose canaries passed rolls out at once
        send(built("team/pass-app", "1", digest('f'), pipeline));
        awaitRollout("pass-app", "succeeded");
    }

    @Test
    void aCascadeWithoutCanariesAndAGitPushWithOneRollOutAsBefore() {
        String base = REG + "/team/plain:1";
        deploy("plain-web", base, follows(base));
        UUID pipeline = UUID.randomUUID();
        send(root("team/plain", "1", digest('1'), pipeline));
        assertThat(awaitRollout("plain-web", "succeeded").getBoolean("[0].canary")).isFalse();
        given().get("/api/pipelines/" + pipeline + "/canary").then().statusCode(404);

        // a build's push in a pipeline that no image push started (a git push): canaries are not waited for
        String app = REG + "/team/plain-app:1";
        deploy("plain-canary", app, canary(app, "60s"));
        deploy("plain-app", app, follows(app));
        UUID gitPipeline = UUID.randomUUID();
        send(built("team/plain-app", "1", digest('2'), gitPipeline));
        awaitRollout("plain-app", "succeeded");
        awaitRollout("plain-canary", "succeeded");
        given().get("/api/pipelines/" + gitPipeline + "/canary").then().statusCode(404);
    }

    @Test
    void aRolloutPushedBeforeItsCascadesCanaryWaitsForTheCanaryStillBeingBuiltAndItsSoak() {
        String base = REG + "/team/early:1";
        String app = REG + "/team/early-app:1";
        deploy("early-canary", app, canary(app, "3s"));
        deploy("early-web", base, follows(base));
        UUID pipeline = UUID.randomUUID();
        String build = UUID.randomUUID().toString();
        send(buildEvent(pipeline, build, "early-app", "queued", app, null));
        awaitExpected(pipeline, "queued");

        // the base's push comes first; the canary's image is still being built in the same cascade
        send(root("team/early", "1", digest('h'), pipeline));
        assertThat(awaitRollout("early-web", "waiting").getString("[0].reason")).isEqualTo("waiting for canary " + NS
                + "/Deployment/early-canary: the cascade's build of early-app has yet to push " + app);
        assertThat(canaryStage(pipeline).getString("status")).isEqualTo("expected");
        // the build has pushed, its image push is not taken in yet: still waiting
        send(buildEvent(pipeline, build, "early-app", "succeeded", app, digest('i')));
        awaitExpected(pipeline, "succeeded");
        assertThat(rollouts("early-web").getString("[0].status")).isEqualTo("waiting");
        assertThat(image("early-web")).isEqualTo(base);

        send(built("team/early-app", "1", digest('i'), pipeline));
        JsonPath canary = awaitRollout("early-canary", "succeeded");
        JsonPath web = awaitRollout("early-web", "succeeded");
        assertThat(Duration.between(OffsetDateTime.parse(canary.getString("[0].finishedAt")), OffsetDateTime.parse(web.getString("[0].finishedAt"))))
                .isGreaterThanOrEqualTo(Duration.ofSeconds(3));
        assertThat(canaryStage(pipeline).getString("status")).isEqualTo("passed");
        assertThat(expected(pipeline).getList("$")).isEmpty();
    }

    @Test
    void aCanaryImageWhoseBuildFailsNoLongerHoldsTheRestOfTheCascade() {
        String base = REG + "/team/lost:1";
        String app = REG + "/team/lost-app:1";
        deploy("lost-canary", app, canary(app, "60s"));
        deploy("lost-web", base, follows(base));
        UUID pipeline = UUID.randomUUID();
        String build = UUID.randomUUID().toString();
        send(buildEvent(pipeline, build, "lost-app", "queued", app, null));
        awaitExpected(pipeline, "queued");
        send(root("team/lost", "1", digest('j'), pipeline));
        awaitRollout("lost-web", "waiting");

        send(buildEvent(pipeline, build, "lost-app", "failed", app, null));
        awaitRollout("lost-web", "succeeded");
        assertThat(image("lost-web")).isEqualTo(REG + "/team/lost@" + digest('j'));
        assertThat(image("lost-canary")).isEqualTo(app);
        // no canary rolled out: the cascade is one without canaries
        given().get("/api/pipelines/" + pipeline + "/canary").then().statusCode(404);
        assertThat(expected(pipeline).getList("$")).isEmpty();
    }

    @Test
    void aCascadeWhoseBuildsMakeNoCanaryImageRollsOutWhileTheyAreQueued() {
        String base = REG + "/team/free:1";
        String app = REG + "/team/free-app:1";
        deploy("free-web", base, follows(base));
        deploy("free-app", app, follows(app));
        UUID pipeline = UUID.randomUUID();
        send(buildEvent(pipeline, UUID.randomUUID().toString(), "free-app", "queued", app, null));
        awaitExpected(pipeline, "queued");

        send(root("team/free", "1", digest('k'), pipeline));
        assertThat(awaitRollout("free-web", "succeeded").getList("status")).doesNotContain("waiting");
        given().get("/api/pipelines/" + pipeline + "/canary").then().statusCode(404);
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    static String digest(char c) {
        return "sha256:" + String.valueOf(c).repeat(64);
    }

    static Map<String, String> follows(String from) {
        return Map.of("cascade.dev/image-triggers", "[{\"from\":\"" + from + "\",\"container\":\"web\",\"policy\":\"digest\"}]");
    }

    static Map<String, String> canary(String from, String soak) {
        Map<String, String> a = new HashMap<>(follows(from));
        a.put("cascade.dev/canary", "true");
        a.put("cascade.dev/canary-soak", soak);
        return a;
    }

    void deploy(String name, String image, Map<String, String> annotations) {
        Deployment d = new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(NS).withAnnotations(annotations).endMetadata()
                .withNewSpec().withReplicas(2).withProgressDeadlineSeconds(30)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage(image).endContainer().endSpec().endTemplate()
                .endSpec().build();
        client.apps().deployments().inNamespace(NS).resource(d).create();
        // the informer knows it and the controller reported it ready
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/api/workloads").then().extract().jsonPath()
                .getList("name").contains(name) && readyNow(name));
    }

    boolean readyNow(String name) {
        Deployment x = client.apps().deployments().inNamespace(NS).withName(name).get();
        return x.getStatus() != null && x.getMetadata().getGeneration().equals(x.getStatus().getObservedGeneration());
    }

    String image(String name) {
        return client.apps().deployments().inNamespace(NS).withName(name).get().getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }

    /** The push of a base image from outside: the root of its pipeline, under the pipeline's id. */
    static ProducerRecord<String, String> root(String repository, String tag, String digest, UUID pipeline) {
        return pushed(repository, tag, digest, pipeline, pipeline, "distribution");
    }

    /** The push of an image a build of the pipeline made. */
    static ProducerRecord<String, String> built(String repository, String tag, String digest, UUID pipeline) {
        return pushed(repository, tag, digest, UUID.randomUUID(), pipeline, "build");
    }

    static ProducerRecord<String, String> pushed(String repository, String tag, String digest, UUID id, UUID pipeline, String sender) {
        return CloudEventRecords.event(Topics.IMAGES, REG + "/" + repository, id, EventTypes.IMAGE_PUSHED, pipeline, pipeline,
                OffsetDateTime.now(), """
                {"image":"%s/%s:%s","registry":"%s","repository":"%s","tag":"%s","digest":"%s","sender":"%s"}"""
                        .formatted(REG, repository, tag, REG, repository, tag, digest, sender));
    }

    /** build-service's event of a build of the pipeline entering {@code status}. */
    static ProducerRecord<String, String> buildEvent(UUID pipeline, String buildId, String config, String status, String image, String digest) {
        return CloudEventRecords.event(Topics.BUILDS, config, UUID.randomUUID(), EventTypes.BUILD_PREFIX + status, pipeline, pipeline,
                OffsetDateTime.now(), """
                {"buildId":"%s","config":"%s","status":"%s","image":"%s","digest":%s,"at":"%s","number":1}"""
                        .formatted(buildId, config, status.toUpperCase(), image, digest == null ? "null" : "\"" + digest + "\"",
                                OffsetDateTime.now().toInstant()));
    }

    JsonPath expected(UUID pipeline) {
        return given().get("/api/pipelines/" + pipeline + "/expected").then().statusCode(200).extract().jsonPath();
    }

    /** deploy-service has taken in the pipeline's build event that left its one expected build in {@code status}. */
    void awaitExpected(UUID pipeline, String status) {
        await().atMost(Duration.ofSeconds(15)).until(() -> expected(pipeline).getList("status"), l -> l.equals(java.util.List.of(status)));
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

    JsonPath canaryStage(UUID pipeline) {
        return given().get("/api/pipelines/" + pipeline + "/canary").then().statusCode(200).extract().jsonPath();
    }
}
