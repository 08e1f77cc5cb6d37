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
        // each test's canaries are its own: a canary left watched would guard the next test's cascades
        client.apps().deployments().inNamespace(NS).delete();
        await().atMost(Duration.ofSeconds(10)).until(() -> given().get("/api/workloads").then().extract().jsonPath()
                .getList("namespace").stream().noneMatch(NS::equals));
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
            send(planned(pipeline, "team/held", "1", digest('a'), 0));

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
        send(planned(pipeline, "team/abort", "1", digest('b'), 0));
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
        send(planned(pipeline, "team/soak", "1", digest('d'), 0));

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
        send(planned(pipeline, "team/pass", "1", digest('e'), 0));
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
        send(planned(pipeline, "team/plain", "1", digest('1'), 0));
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
        send(planned(pipeline, "team/early", "1", digest('h'), 1));
        awaitExpected(pipeline, "queued");
        awaitPlanKnownWhole(pipeline);

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
        send(planned(pipeline, "team/lost", "1", digest('j'), 1));
        awaitExpected(pipeline, "queued");
        awaitPlanKnownWhole(pipeline);
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
        send(planned(pipeline, "team/free", "1", digest('k'), 1));
        awaitExpected(pipeline, "queued");
        awaitPlanKnownWhole(pipeline);
        // a canary elsewhere: the cascade, known whole already, makes no image it follows
        String other = REG + "/team/free-other:1";
        deploy("free-canary", other, canary(other, "60s"));

        try (var events = kafka.consume(Serdes.String(), Serdes.String()).fromTopics(Topics.ROLLOUTS)) {
            send(root("team/free", "1", digest('k'), pipeline));
            awaitRollout("free-web", "succeeded");
            // the rollout's events, in order on its key: it started without waiting
            String key = NS + "/Deployment/free-web";
            await().atMost(Duration.ofSeconds(15)).until(() -> types(events.getRecords(), key, pipeline).contains("cascade.rollout.succeeded"));
            assertThat(types(events.getRecords(), key, pipeline)).doesNotContain("cascade.rollout.waiting").startsWith("cascade.rollout.started");
        }
        given().get("/api/pipelines/" + pipeline + "/canary").then().statusCode(404);
    }

    @Test
    void aBaseImagesOwnRolloutWaitsUntilTheCascadesPlanIsKnownWhole() {
        String base = REG + "/team/plan:1";
        String app = REG + "/team/plan-app:1";
        deploy("plan-canary", app, canary(app, "60s"));
        deploy("plan-web", base, follows(base));
        UUID pipeline = UUID.randomUUID();

        // the base's push comes before build-service has planned its cascade: a build of it may make the canary's image
        send(root("team/plan", "1", digest('m'), pipeline));
        assertThat(awaitRollout("plan-web", "waiting").getString("[0].reason")).isEqualTo("waiting for the cascade's plan, since a build"
                + " of it may make the image of canary " + NS + "/Deployment/plan-canary: build-service has yet to plan the cascade"
                + " (it does once the base image push outlives its coalescing window)");
        assertThat(canaryStage(pipeline).getString("status")).isEqualTo("expected");
        // the plan names one build; its queued event (another partition) is not read yet
        send(planned(pipeline, "team/plan", "1", digest('m'), 1));
        await().atMost(Duration.ofSeconds(15)).until(() -> rollouts("plan-web").getString("[0].reason"),
                r -> r.endsWith("deploy-service has read 0 of the 1 builds the cascade queued"));
        given().get("/api/pipelines/" + pipeline + "/plan").then().statusCode(200)
                .body("buildsPlanned", equalTo(1)).body("buildsRead", equalTo(0)).body("complete", equalTo(false));
        String build = UUID.randomUUID().toString();
        send(buildEvent(pipeline, build, "plan-app", "queued", app, null));
        await().atMost(Duration.ofSeconds(15)).until(() -> rollouts("plan-web").getString("[0].reason"),
                r -> r.equals("waiting for canary " + NS + "/Deployment/plan-canary: the cascade's build of plan-app has yet to push " + app));
        assertThat(image("plan-web")).isEqualTo(base);

        send(buildEvent(pipeline, build, "plan-app", "failed", app, null));
        awaitRollout("plan-web", "succeeded");
        assertThat(image("plan-web")).isEqualTo(REG + "/team/plan@" + digest('m'));

        // a cascade whose plan queued nothing rolls the base out once the plan is read
        UUID empty = UUID.randomUUID();
        send(root("team/plan", "1", digest('n'), empty));
        awaitRollout("plan-web", "waiting");
        send(planned(empty, "team/plan", "1", digest('n'), 0));
        await().atMost(Duration.ofSeconds(30)).until(() -> image("plan-web").equals(REG + "/team/plan@" + digest('n')));
        given().get("/api/pipelines/" + empty + "/canary").then().statusCode(404);
    }

    @Test
    void aPushThatJoinedAnEarlierPushsCascadeWaitsForThatCascadesCanaries() {
        String base = REG + "/team/join:1";
        String app = REG + "/team/join-app:1";
        deploy("join-canary", app, canary(app, "60s"));
        deploy("join-web", base, follows(base));
        UUID first = UUID.randomUUID();
        UUID second = UUID.randomUUID();
        String build = UUID.randomUUID().toString();
        send(root("team/join", "1", digest('p'), first));
        awaitRollout("join-web", "waiting");
        // the second push comes inside the coalescing window: build-service plans one cascade, in the first pipeline
        send(root("team/join", "1", digest('q'), second));
        send(planned(second, first, "team/join", "1", digest('q'), 0));
        send(buildEvent(first, build, "join-app", "queued", app, null));
        send(planned(first, "team/join", "1", digest('q'), 1));
        await().atMost(Duration.ofSeconds(15)).until(() -> rollouts("join-web").getString("[0].reason"),
                r -> ("waiting for canary " + NS + "/Deployment/join-canary: the cascade's build of join-app has yet to push " + app
                        + " (in the cascade of pipeline " + first + ", which this push joined)").equals(r));
        given().get("/api/pipelines/" + second + "/plan").then().statusCode(200)
                .body("joinedPipeline", equalTo(first.toString())).body("complete", equalTo(true));
        assertThat(image("join-web")).isEqualTo(base);

        // the first cascade's canary image will not come: the second push's rollout of the base goes ahead
        send(buildEvent(first, build, "join-app", "failed", app, null));
        await().atMost(Duration.ofSeconds(30)).until(() -> image("join-web").equals(REG + "/team/join@" + digest('q')));
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

    /** build-service's plan of the pipeline's base image push: {@code builds} builds queued. */
    static ProducerRecord<String, String> planned(UUID pipeline, String repository, String tag, String digest, int builds) {
        return planned(pipeline, pipeline, repository, tag, digest, builds);
    }

    /** build-service's plan of the pipeline's base image push, whose cascade is that of {@code cascadePipeline}. */
    static ProducerRecord<String, String> planned(UUID pipeline, UUID cascadePipeline, String repository, String tag, String digest, int builds) {
        return CloudEventRecords.event(Topics.BUILDS, REG + "/" + repository + ":" + tag, UUID.randomUUID(), EventTypes.CASCADE_PLANNED,
                pipeline, pipeline, OffsetDateTime.now(), """
                {"image":"%s/%s:%s","digest":"%s","builds":%d,"cascadePipeline":"%s","at":"%s"}"""
                        .formatted(REG, repository, tag, digest, builds, cascadePipeline, OffsetDateTime.now().toInstant()));
    }

    /** The types of the rollout events of {@code key} in the pipeline, in the order they were published. */
    static java.util.List<String> types(java.util.List<org.apache.kafka.clients.consumer.ConsumerRecord<String, String>> records, String key, UUID pipeline) {
        return records.stream()
                .filter(r -> key.equals(r.key()) && pipeline.toString().equals(CloudEventRecords.header(r.headers(), "ce_pipelineid")))
                .map(r -> CloudEventRecords.header(r.headers(), "ce_type"))
                .toList();
    }

    /** deploy-service has read the pipeline's plan and every build it queued. */
    void awaitPlanKnownWhole(UUID pipeline) {
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            var plan = given().get("/api/pipelines/" + pipeline + "/plan");
            return plan.statusCode() == 200 && plan.then().extract().jsonPath().getBoolean("complete");
        });
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
