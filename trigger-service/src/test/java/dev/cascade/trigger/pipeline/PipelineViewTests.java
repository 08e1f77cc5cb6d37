package dev.cascade.trigger.pipeline;

import static dev.cascade.trigger.pipeline.PipelineTrees.awaitTree;
import static dev.cascade.trigger.pipeline.PipelineTrees.childOfKind;
import static dev.cascade.trigger.pipeline.PipelineTrees.children;
import static dev.cascade.trigger.pipeline.PipelineTrees.commit;
import static dev.cascade.trigger.pipeline.PipelineTrees.digest;
import static dev.cascade.trigger.pipeline.PipelineTrees.fields;
import static dev.cascade.trigger.pipeline.PipelineTrees.find;
import static dev.cascade.trigger.pipeline.PipelineTrees.instant;
import static dev.cascade.trigger.pipeline.PipelineTrees.root;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.BuildEvent;
import dev.cascade.common.events.BuildStatus;
import dev.cascade.common.events.ImagePushed;
import dev.cascade.common.events.RolloutEvent;
import dev.cascade.common.events.RolloutStatus;
import dev.cascade.common.events.SourcePushed;
import dev.cascade.testsupport.CascadeInfraResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URL;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The pipeline view, fed by real events on the real topics and read through the REST API and its live stream. */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "trigger"))
class PipelineViewTests {

    static final String REGISTRY = "localhost:5000";
    static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";

    @Inject
    ObjectMapper json;

    @TestHTTPResource("/api/pipelines")
    URL pipelines;

    ContractEvents events;
    String u;
    Instant t0;

    @BeforeEach
    void connect() {
        events = new ContractEvents(json);
        u = UUID.randomUUID().toString().substring(0, 8);
        t0 = Instant.now().minus(Duration.ofMinutes(30)).truncatedTo(ChronoUnit.MILLIS);
    }

    @AfterEach
    void disconnect() {
        events.close();
    }

    /** What {@link #cascade} published and what trigger-service published for it. */
    record Cascade(UUID pipeline, String baseImage, String baseDigest, String appBuild, String webBuild, String appImage,
                   String appDigest, UUID appSucceeded, String appRollout, String webRollout) {
    }

    /**
     * A base image push rebuilds app and web (web after app); trigger-service reports each built image itself;
     * each image rolls out. Returns once the whole tree is in the view and the pipeline has succeeded.
     */
    Cascade cascade() {
        String repo = "team-" + u;
        String base = REGISTRY + "/" + repo + "/base:1";
        String baseDigest = digest();
        UUID p = events.rootImage(new ImagePushed(base, REGISTRY, repo + "/base", "1", baseDigest, OCI_MANIFEST, "distribution",
                "delivery-" + u), t0);
        String app = "app-" + u;
        String web = "web-" + u;
        String appImage = REGISTRY + "/" + repo + "/app:1";
        String webImage = REGISTRY + "/" + repo + "/web:1";
        String appBuild = UUID.randomUUID().toString();
        String webBuild = UUID.randomUUID().toString();
        String appDigest = digest();
        String webDigest = digest();
        String commit = commit();
        String why = "base image " + base + " changed to " + baseDigest;
        Map<String, String> bases = Map.of(base, baseDigest);

        events.build(p, p, new BuildEvent(appBuild, app, BuildStatus.QUEUED, commit, appImage, null, bases, why, t0.plusSeconds(1), 7, List.of()));
        events.build(p, p, new BuildEvent(webBuild, web, BuildStatus.QUEUED, commit, webImage, null, bases, why, t0.plusSeconds(1), 3, List.of(app)));
        events.build(p, p, new BuildEvent(appBuild, app, BuildStatus.STARTED, commit, appImage, null, bases, why, t0.plusSeconds(2), 7, List.of()));
        BuildEvent appSuccess = new BuildEvent(appBuild, app, BuildStatus.SUCCEEDED, commit, appImage, appDigest, bases, why,
                t0.plusSeconds(5), 7, List.of());
        UUID appSucceeded = events.build(p, p, appSuccess);
        events.builtImage(p, appSucceeded, appSuccess);
        events.build(p, p, new BuildEvent(webBuild, web, BuildStatus.STARTED, commit, webImage, null, bases, why, t0.plusSeconds(6), 3, List.of(app)));
        BuildEvent webSuccess = new BuildEvent(webBuild, web, BuildStatus.SUCCEEDED, commit, webImage, webDigest, bases, why,
                t0.plusSeconds(9), 3, List.of(app));
        events.builtImage(p, events.build(p, p, webSuccess), webSuccess);

        // build-service publishes each built image with the build's success; deploy-service rolls each out
        JsonPath built = awaitTree(p, t -> childOfKind(t, appBuild, "image") != null && childOfKind(t, webBuild, "image") != null);
        UUID appPushed = UUID.fromString((String) childOfKind(built, appBuild, "image").get("eventId"));
        UUID webPushed = UUID.fromString((String) childOfKind(built, webBuild, "image").get("eventId"));
        String appRollout = UUID.randomUUID().toString();
        String webRollout = UUID.randomUUID().toString();
        String appPinned = REGISTRY + "/" + repo + "/app@" + appDigest;
        String webPinned = REGISTRY + "/" + repo + "/web@" + webDigest;
        events.rollout(p, appPushed, new RolloutEvent(appRollout, "prod", "Deployment", app, "app", appPinned, REGISTRY + "/" + repo + "/app@" + digest(),
                RolloutStatus.STARTED, null, t0.plusSeconds(10)));
        events.rollout(p, webPushed, new RolloutEvent(webRollout, "prod", "Deployment", web, "web", webPinned, null,
                RolloutStatus.STARTED, null, t0.plusSeconds(11)));
        JsonPath rolling = awaitTree(p, t -> find(t, appRollout) != null && find(t, webRollout) != null);
        assertThat(rolling.getString("status")).isEqualTo("running");
        events.rollout(p, appPushed, new RolloutEvent(appRollout, "prod", "Deployment", app, "app", appPinned, null,
                RolloutStatus.SUCCEEDED, null, t0.plusSeconds(12)));
        events.rollout(p, webPushed, new RolloutEvent(webRollout, "prod", "Deployment", web, "web", webPinned, null,
                RolloutStatus.SUCCEEDED, null, t0.plusSeconds(15)));
        awaitTree(p, t -> "succeeded".equals(t.getString("status")));
        return new Cascade(p, base, baseDigest, appBuild, webBuild, appImage, appDigest, appSucceeded, appRollout, webRollout);
    }

    @Test
    void aCascadeIsOneTreeFromTheTriggerThroughBuildsAndImagesToRollouts() {
        Cascade c = cascade();
        JsonPath tree = given().get("/api/pipelines/" + c.pipeline()).then().statusCode(200).extract().jsonPath();

        assertThat(tree.getString("status")).isEqualTo("succeeded");
        assertThat(tree.getString("trigger.kind")).isEqualTo("image");
        assertThat(tree.getString("trigger.image")).isEqualTo(c.baseImage());
        assertThat(tree.getString("trigger.digest")).isEqualTo(c.baseDigest());
        assertThat(instant(tree.getString("createdAt"))).isEqualTo(t0);
        assertThat(instant(tree.getString("finishedAt"))).isAfterOrEqualTo(t0.plusSeconds(15));
        assertThat(tree.getMap("counts.builds")).isEqualTo(Map.of("succeeded", 2));
        assertThat(tree.getMap("counts.images")).isEqualTo(Map.of("pushed", 3));
        assertThat(tree.getMap("counts.rollouts")).isEqualTo(Map.of("succeeded", 2));

        Map<String, Object> root = root(tree);
        assertThat(root).containsEntry("id", c.pipeline().toString()).containsEntry("kind", "image").containsEntry("status", "pushed");
        assertThat(children(root)).extracting(n -> n.get("id")).containsExactlyInAnyOrder(c.appBuild(), c.webBuild());

        Map<String, Object> app = find(tree, c.appBuild());
        assertThat(app).containsEntry("kind", "build").containsEntry("name", "app-" + u + " #7").containsEntry("status", "succeeded")
                .containsEntry("parentId", c.pipeline().toString());
        assertThat(instant(app.get("queuedAt"))).isEqualTo(t0.plusSeconds(1));
        assertThat(instant(app.get("startedAt"))).isEqualTo(t0.plusSeconds(2));
        assertThat(instant(app.get("finishedAt"))).isEqualTo(t0.plusSeconds(5));
        assertThat(app.get("durationMs")).isEqualTo(3000);
        assertThat(fields(app)).containsEntry("config", "app-" + u).containsEntry("number", 7).containsEntry("image", c.appImage())
                .containsEntry("digest", c.appDigest()).containsEntry("after", List.of());

        Map<String, Object> web = find(tree, c.webBuild());
        assertThat(fields(web)).containsEntry("after", List.of("app-" + u));
        assertThat(web.get("durationMs")).isEqualTo(3000);

        // the image the app build pushed hangs under it, caused by its success; the rollout of that image under the image
        List<Map<String, Object>> appImages = children(app);
        assertThat(appImages).hasSize(1);
        Map<String, Object> image = appImages.get(0);
        assertThat(image).containsEntry("kind", "image").containsEntry("parentId", c.appBuild())
                .containsEntry("causationId", c.appSucceeded().toString());
        assertThat(fields(image)).containsEntry("image", c.appImage()).containsEntry("digest", c.appDigest()).containsEntry("sender", "build");
        List<Map<String, Object>> rollouts = children(image);
        assertThat(rollouts).extracting(n -> n.get("id")).containsExactly(c.appRollout());
        Map<String, Object> rollout = rollouts.get(0);
        assertThat(rollout).containsEntry("status", "succeeded").containsEntry("name", "prod/Deployment/app-" + u);
        assertThat(instant(rollout.get("startedAt"))).isEqualTo(t0.plusSeconds(10));
        assertThat(rollout.get("durationMs")).isEqualTo(2000);
        assertThat(fields(rollout)).containsEntry("workload", "app-" + u).containsEntry("container", "app");
        assertThat(children(find(tree, c.webBuild())).get(0).get("kind")).isEqualTo("image");
    }

    @Test
    void pipelinesAreListedNewestFirstAndFilteredByImageStatusAndTime() {
        Cascade c = cascade();
        String p = c.pipeline().toString();
        String appName = c.appImage().substring(0, c.appImage().lastIndexOf(':'));

        List<Map<String, Object>> byTag = given().queryParam("image", c.appImage()).get("/api/pipelines").then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertThat(byTag).extracting(i -> i.get("id")).containsExactly(p);
        assertThat(byTag.get(0)).containsEntry("status", "succeeded");
        assertThat(byTag.get(0).get("counts")).isEqualTo(Map.of("builds", Map.of("succeeded", 2), "images", Map.of("pushed", 3),
                "rollouts", Map.of("succeeded", 2)));

        assertThat(ids(Map.of("image", appName + "@" + c.appDigest()))).containsExactly(p);
        assertThat(ids(Map.of("image", c.baseImage()))).containsExactly(p);
        assertThat(ids(Map.of("image", appName + ":2"))).isEmpty();
        assertThat(ids(Map.of("image", c.appImage(), "status", "succeeded"))).containsExactly(p);
        assertThat(ids(Map.of("image", c.appImage(), "status", "running"))).isEmpty();
        assertThat(ids(Map.of("since", t0.minusSeconds(1).toString(), "until", t0.plusSeconds(1).toString()))).contains(p);
        assertThat(ids(Map.of("since", t0.plusSeconds(1).toString(), "until", t0.plusSeconds(60).toString()))).doesNotContain(p);
        assertThat(ids(Map.of("limit", "1"))).hasSize(1);

        List<Instant> created = given().queryParam("limit", 500).get("/api/pipelines").then().statusCode(200)
                .extract().jsonPath().<String>getList("createdAt").stream().map(PipelineTrees::instant).toList();
        assertThat(created).isSortedAccordingTo(java.util.Comparator.reverseOrder());
    }

    @Test
    void redeliveringEveryEventChangesNothing() throws Exception {
        Cascade c = cascade();
        events.awaitConsumedByTriggerService();
        String before = given().get("/api/pipelines/" + c.pipeline()).then().statusCode(200).extract().asString();

        events.redeliverAll();
        events.awaitConsumedByTriggerService();

        String after = given().get("/api/pipelines/" + c.pipeline()).then().statusCode(200).extract().asString();
        assertThat(after).isEqualTo(before); // same nodes, same revisions, same timestamps
        assertThat(ids(Map.of("image", c.appImage()))).containsExactly(c.pipeline().toString());
    }

    @Test
    void eventsArrivingOutOfOrderNeverMoveANodeBackAndTheRootFillsInLater() {
        String repository = "https://github.com/cascade-test/lib-" + u;
        String config = "lib-" + u;
        String image = REGISTRY + "/team-" + u + "/lib:1";
        String buildId = UUID.randomUUID().toString();
        String commit = commit();
        UUID p = UUID.randomUUID(); // the git push that will arrive last

        UUID started = events.build(p, p, new BuildEvent(buildId, config, BuildStatus.STARTED, commit, image, null, null, "push of " + commit,
                t0.plusSeconds(2), 1, List.of()));
        JsonPath early = awaitTree(p, t -> find(t, buildId) != null);
        assertThat(early.getString("status")).isEqualTo("running");
        assertThat(early.getString("root.id")).isEqualTo(buildId); // stands in for the root not seen yet

        BuildEvent success = new BuildEvent(buildId, config, BuildStatus.SUCCEEDED, commit, image, digest(), null, "push of " + commit,
                t0.plusSeconds(5), 1, List.of());
        UUID succeeded = events.build(p, p, success);
        // the build has succeeded, but the image it pushed is not in the view yet: the pipeline is still running
        JsonPath built = awaitTree(p, t -> "succeeded".equals(find(t, buildId).get("status")));
        assertThat(built.getString("status")).isEqualTo("running");
        events.builtImage(p, succeeded, success);
        awaitTree(p, t -> "succeeded".equals(t.getString("status")) && childOfKind(t, buildId, "image") != null);

        // the queued event, older than both, arrives last: it fills in its time but takes nothing back
        UUID queued = events.build(p, p, new BuildEvent(buildId, config, BuildStatus.QUEUED, commit, image, null, null, "push of " + commit,
                t0.plusSeconds(1), 1, List.of()));
        JsonPath late = awaitTree(p, t -> find(t, buildId).get("queuedAt") != null);
        Map<String, Object> build = find(late, buildId);
        assertThat(build).containsEntry("status", "succeeded").containsEntry("eventId", queued.toString());
        assertThat(build.get("eventId")).isNotEqualTo(started.toString());
        assertThat(instant(build.get("queuedAt"))).isEqualTo(t0.plusSeconds(1));
        assertThat(instant(build.get("finishedAt"))).isEqualTo(t0.plusSeconds(5));
        assertThat(late.getString("status")).isEqualTo("succeeded");

        events.source(p, new SourcePushed(repository, SourcePushed.RefType.BRANCH, "main", "0".repeat(40), commit, List.of("Dockerfile"),
                "alice", "github", "delivery-" + u), t0);
        JsonPath complete = awaitTree(p, t -> "git".equals(t.getString("trigger.kind")));
        assertThat(complete.getString("trigger.repository")).isEqualTo(repository);
        assertThat(complete.getString("trigger.ref")).isEqualTo("main");
        assertThat(complete.getString("root.kind")).isEqualTo("source");
        assertThat(complete.getString("root.id")).isEqualTo(p.toString());
        assertThat(children(root(complete))).extracting(n -> n.get("id")).containsExactly(buildId);
        assertThat(childOfKind(complete, buildId, "image")).isNotNull();
        assertThat(instant(complete.getString("createdAt"))).isEqualTo(t0);

        assertThat(ids(Map.of("repository", "git@github.com:cascade-test/lib-" + u + ".git"))).containsExactly(p.toString());
    }

    @Test
    void aBuildWhoseAwaitedBuildIsNotInTheViewYetKeepsThePipelineRunning() {
        String repo = "team-" + u;
        String base = REGISTRY + "/" + repo + "/wave-base:1";
        String baseDigest = digest();
        UUID p = events.rootImage(new ImagePushed(base, REGISTRY, repo + "/wave-base", "1", baseDigest, OCI_MANIFEST, "distribution",
                "delivery-" + u), t0);
        String mid = "mid-" + u;
        String app = "app-" + u;
        String midBuild = UUID.randomUUID().toString();
        String appBuild = UUID.randomUUID().toString();
        String midImage = REGISTRY + "/" + repo + "/mid:1";
        String appImage = REGISTRY + "/" + repo + "/app:1";
        Map<String, String> bases = Map.of(base, baseDigest);

        // the whole second wave is read before anything of the first: app's config travels in another partition than mid's
        events.build(p, p, new BuildEvent(appBuild, app, BuildStatus.QUEUED, null, appImage, null, bases, "cascade", t0.plusSeconds(1), 2, List.of(mid)));
        events.build(p, p, new BuildEvent(appBuild, app, BuildStatus.STARTED, null, appImage, null, bases, "cascade", t0.plusSeconds(5), 2, List.of(mid)));
        BuildEvent appSuccess = new BuildEvent(appBuild, app, BuildStatus.SUCCEEDED, null, appImage, digest(), bases, "cascade",
                t0.plusSeconds(8), 2, List.of(mid));
        events.builtImage(p, events.build(p, p, appSuccess), appSuccess);
        JsonPath early = awaitTree(p, t -> find(t, appBuild) != null && childOfKind(t, appBuild, "image") != null);
        assertThat(early.getString("status")).as("app waits for mid, whose build the view has not seen").isEqualTo("running");
        assertThat(find(early, midBuild)).isNull();

        events.build(p, p, new BuildEvent(midBuild, mid, BuildStatus.QUEUED, null, midImage, null, bases, "cascade", t0.plusSeconds(1), 4, List.of()));
        events.build(p, p, new BuildEvent(midBuild, mid, BuildStatus.STARTED, null, midImage, null, bases, "cascade", t0.plusSeconds(2), 4, List.of()));
        BuildEvent midSuccess = new BuildEvent(midBuild, mid, BuildStatus.SUCCEEDED, null, midImage, digest(), bases, "cascade",
                t0.plusSeconds(4), 4, List.of());
        events.builtImage(p, events.build(p, p, midSuccess), midSuccess);
        JsonPath complete = awaitTree(p, t -> "succeeded".equals(t.getString("status")));
        assertThat(find(complete, midBuild)).containsEntry("status", "succeeded");
        assertThat(find(complete, appBuild)).containsEntry("status", "succeeded");
    }

    @Test
    void aRolloutHeldByAFailedCanaryHoldsThePipelineUntilItGoesOn() {
        String repo = "canary-" + u;
        String base = REGISTRY + "/" + repo + "/base:1";
        String baseDigest = digest();
        UUID p = events.rootImage(new ImagePushed(base, REGISTRY, repo + "/base", "1", baseDigest, OCI_MANIFEST, "distribution",
                "delivery-" + u), t0);
        String pinned = REGISTRY + "/" + repo + "/base@" + baseDigest;
        String canary = UUID.randomUUID().toString();
        String web = UUID.randomUUID().toString();
        String why = "canary prod/Deployment/canary-" + u + " failed: ProgressDeadlineExceeded";
        events.rollout(p, p, new RolloutEvent(canary, "prod", "Deployment", "canary-" + u, "web", pinned, base, RolloutStatus.STARTED, null,
                t0.plusSeconds(1)));
        events.rollout(p, p, new RolloutEvent(web, "prod", "Deployment", "web-" + u, "web", pinned, base,
                RolloutStatus.WAITING, "waiting for the cascade's canaries to roll out and soak", t0.plusSeconds(1)));
        JsonPath running = awaitTree(p, t -> find(t, web) != null && find(t, canary) != null);
        assertThat(running.getString("status")).isEqualTo("running");
        assertThat(find(running, web)).containsEntry("status", "waiting");

        events.rollout(p, p, new RolloutEvent(canary, "prod", "Deployment", "canary-" + u, "web", pinned, base, RolloutStatus.FAILED,
                "ProgressDeadlineExceeded", t0.plusSeconds(3)));
        events.rollout(p, p, new RolloutEvent(web, "prod", "Deployment", "web-" + u, "web", pinned, base, RolloutStatus.HELD, why,
                t0.plusSeconds(3)));
        JsonPath held = awaitTree(p, t -> "held".equals(t.getString("status")));
        assertThat(find(held, web)).containsEntry("status", "held");
        assertThat(fields(find(held, web))).containsEntry("reason", why);
        assertThat(find(held, web).get("finishedAt")).isNull();
        assertThat(held.getString("finishedAt")).isNull();
        assertThat(ids(Map.of("image", base, "status", "held"))).containsExactly(p.toString());

        // resumed: the held rollout starts and ends; the failed canary still fails the pipeline
        events.rollout(p, p, new RolloutEvent(web, "prod", "Deployment", "web-" + u, "web", pinned, base, RolloutStatus.STARTED, null,
                t0.plusSeconds(10)));
        events.rollout(p, p, new RolloutEvent(web, "prod", "Deployment", "web-" + u, "web", pinned, base, RolloutStatus.SUCCEEDED, null,
                t0.plusSeconds(12)));
        JsonPath ended = awaitTree(p, t -> "succeeded".equals(String.valueOf(find(t, web).get("status"))));
        assertThat(ended.getString("status")).isEqualTo("failed");
        assertThat(ended.getMap("counts.rollouts")).isEqualTo(Map.of("failed", 1, "succeeded", 1));
    }

    @Test
    void aFailedBuildFailsThePipelineAndTheBuildsSkippedForItShowWhy() {
        String repository = "https://github.com/cascade-test/fail-" + u;
        String commit = commit();
        UUID p = events.rootSource(new SourcePushed(repository, SourcePushed.RefType.BRANCH, "main", "0".repeat(40), commit, null,
                "bob", "gitlab", "delivery-" + u), t0);
        String a = "a-" + u;
        String b = "b-" + u;
        String buildA = UUID.randomUUID().toString();
        String buildB = UUID.randomUUID().toString();
        events.build(p, p, new BuildEvent(buildA, a, BuildStatus.QUEUED, commit, REGISTRY + "/f/a:1", null, null, "push", t0.plusSeconds(1), 1, List.of()));
        events.build(p, p, new BuildEvent(buildB, b, BuildStatus.QUEUED, commit, REGISTRY + "/f/b:1", null, null, "push", t0.plusSeconds(1), 1, List.of(a)));
        events.build(p, p, new BuildEvent(buildA, a, BuildStatus.STARTED, commit, REGISTRY + "/f/a:1", null, null, "push", t0.plusSeconds(2), 1, List.of()));
        events.build(p, p, new BuildEvent(buildA, a, BuildStatus.FAILED, commit, REGISTRY + "/f/a:1", null, null, "RUN make: exit status 2",
                t0.plusSeconds(4), 1, List.of()));
        events.build(p, p, new BuildEvent(buildB, b, BuildStatus.SKIPPED, commit, REGISTRY + "/f/b:1", null, null, "build of " + a + " failed",
                t0.plusSeconds(4), 1, List.of(a)));

        JsonPath tree = awaitTree(p, t -> "failed".equals(t.getString("status")) && "git".equals(t.getString("trigger.kind")));
        assertThat(tree.getMap("counts.builds")).isEqualTo(Map.of("failed", 1, "skipped", 1));
        assertThat(fields(find(tree, buildA))).containsEntry("reason", "RUN make: exit status 2");
        assertThat(fields(find(tree, buildB))).containsEntry("reason", "build of " + a + " failed").containsEntry("after", List.of(a));
        assertThat(ids(Map.of("repository", repository, "status", "failed"))).containsExactly(p.toString());
    }

    @Test
    void theLiveStreamSendsEachChangeAsItHappensAndResumesAfterLastEventId() throws Exception {
        String repo = "team-" + u + "/live";
        String digest = digest();
        UUID p = events.rootImage(new ImagePushed(REGISTRY + "/" + repo + ":1", REGISTRY, repo, "1", digest, OCI_MANIFEST, "distribution",
                "delivery-" + u), t0);
        awaitTree(p, t -> "succeeded".equals(t.getString("status")));
        URI uri = URI.create(pipelines + "/" + p + "/events");
        Duration wait = Duration.ofSeconds(30);
        String rolloutId = UUID.randomUUID().toString();
        String connectedAt;
        SseReader.Event rolloutNode;

        try (SseReader stream = SseReader.open(uri, null)) {
            assertThat(stream.status()).isEqualTo(200);
            assertThat(stream.contentType()).startsWith("text/event-stream");
            SseReader.Event rootNode = stream.next(wait);
            assertThat(rootNode.name()).isEqualTo("node");
            assertThat(data(rootNode).path("id").asText()).isEqualTo(p.toString());
            SseReader.Event status = stream.next(wait);
            assertThat(status.name()).isEqualTo("pipeline");
            assertThat(data(status).path("status").asText()).isEqualTo("succeeded");
            assertThat(Long.parseLong(status.id())).isGreaterThan(Long.parseLong(rootNode.id()));
            connectedAt = status.id();

            events.rollout(p, p, new RolloutEvent(rolloutId, "staging", "Deployment", "live-" + u, "live", REGISTRY + "/" + repo + "@" + digest,
                    null, RolloutStatus.STARTED, null, t0.plusSeconds(3)));

            rolloutNode = stream.next(wait);
            assertThat(rolloutNode.name()).isEqualTo("node");
            assertThat(data(rolloutNode).path("id").asText()).isEqualTo(rolloutId);
            assertThat(data(rolloutNode).path("status").asText()).isEqualTo("started");
            assertThat(data(rolloutNode).path("parentId").asText()).isEqualTo(p.toString());
            assertThat(Long.parseLong(rolloutNode.id())).isGreaterThan(Long.parseLong(connectedAt));
            SseReader.Event running = stream.next(wait);
            assertThat(running.name()).isEqualTo("pipeline");
            assertThat(data(running).path("status").asText()).isEqualTo("running");
        }

        try (SseReader resumed = SseReader.open(uri, connectedAt)) {
            SseReader.Event first = resumed.next(wait);
            assertThat(first.id()).isEqualTo(rolloutNode.id());
            assertThat(data(first).path("id").asText()).isEqualTo(rolloutId);
            assertThat(resumed.next(wait).name()).isEqualTo("pipeline");
            assertThat(resumed.poll(Duration.ofMillis(500))).isNull();
        }
    }

    @Test
    void anUnknownPipelineOrABadFilterIsAProblem() {
        given().get("/api/pipelines/" + UUID.randomUUID()).then().statusCode(404)
                .contentType("application/problem+json").body("status", equalTo(404));
        given().queryParam("status", "paused").get("/api/pipelines").then().statusCode(422)
                .contentType("application/problem+json");
        given().queryParam("since", "yesterday").get("/api/pipelines").then().statusCode(422)
                .contentType("application/problem+json");
    }

    private List<String> ids(Map<String, String> query) {
        return given().queryParams(query).get("/api/pipelines").then().statusCode(200).extract().jsonPath().getList("id");
    }

    private JsonNode data(SseReader.Event event) throws Exception {
        return json.readTree(event.data());
    }
}
