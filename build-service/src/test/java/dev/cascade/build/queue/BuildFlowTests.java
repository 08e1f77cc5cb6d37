package dev.cascade.build.queue;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;

import dev.cascade.build.RegistryReports;
import dev.cascade.build.executor.ExecutorSettings;
import dev.cascade.common.events.EventTypes;
import dev.cascade.common.events.Topics;
import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.CloudEventRecords;
import dev.cascade.testsupport.GitRepos;
import dev.cascade.testsupport.LocalRegistry;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Builds through the real path: git repositories, buildah, a real registry, events on the real broker. */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "build"))
class BuildFlowTests {

    @Inject
    ExecutorSettings settings;

    static Path work;
    static LocalRegistry registry;
    static GitRepos git;
    static String reg;

    @BeforeAll
    static void startRegistry() throws Exception {
        work = Files.createTempDirectory("build-flow");
        registry = LocalRegistry.start(work.resolve("registry"), null, null);
        git = new GitRepos(work.resolve("git"));
        reg = registry.host();
        new Buildah(work.resolve("buildah")).pushBusybox(reg + "/tools/busybox:1");
    }

    @AfterAll
    static void stopRegistry() {
        registry.close();
    }

    static String config(String name, String repoUrl, String output, String extra) {
        return """
                {"name":"%s","source":{"repository":"%s","branch":"main"},"output":"%s"%s}"""
                .formatted(name, repoUrl, output, extra == null ? "" : "," + extra);
    }

    static void create(String json) {
        given().contentType("application/json").body(json).post("/api/build-configs").then().statusCode(201);
    }

    /** The config's builds, newest first, once the newest one has ended. */
    static JsonPath awaitBuild(String config) {
        return await().atMost(Duration.ofSeconds(120)).until(
                () -> given().queryParam("config", config).get("/api/builds").then().statusCode(200).extract().jsonPath(),
                builds -> !builds.getList("$").isEmpty() && List.of("succeeded", "failed", "cancelled").contains(builds.getString("[0].status")));
    }

    static String pushEvent(String repoUrl, String commit) {
        return """
                {"repository":"%s","refType":"BRANCH","ref":"main","before":"%s","after":"%s","changedPaths":null,
                 "pusher":"alice","sender":"generic","deliveryId":"d"}""".formatted(repoUrl, "0".repeat(40), commit);
    }

    void publish(String topic, String key, UUID id, String type, String data) {
        try (KafkaCompanion kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers())) {
            kafka.produce(Serdes.String(), Serdes.String()).fromRecords(CloudEventRecords.event(topic, key, id, type, data)).awaitCompletion();
        }
    }

    @Test
    void aPushBuildsTheImageWithItsFilesAndLabelsAndABasePushRebuildsItsDependentOnce() throws Exception {
        String baseRepo = git.create("base");
        String appRepo = git.create("app");
        String baseCommit = git.commit("base", Map.of("Dockerfile", "FROM scratch\nCOPY hello.txt /hello.txt\n", "hello.txt", "v1"), "base v1");
        git.commit("app", Map.of("Dockerfile", "FROM " + reg + "/team/base:1\nCOPY app.txt /app.txt\n", "app.txt", "app"), "app");
        create(config("base", baseRepo, reg + "/team/base:1", null));
        create(config("app", appRepo, reg + "/team/app:1", null));

        // the graph is learned from the Dockerfile when the config is created
        given().get("/api/images/" + reg + "/team/base:1/dependents").then().statusCode(200)
                .body("direct", hasItem("app")).body("transitive", hasItem("app"));

        // a push of the base repository builds base at exactly that commit
        String canonicalBase = "file://" + work.resolve("git/base");
        UUID push = UUID.randomUUID();
        publish(Topics.SOURCE, canonicalBase, push, EventTypes.SOURCE_PUSHED, pushEvent(canonicalBase, baseCommit));
        JsonPath builds = awaitBuild("base");
        assertThat(builds.getString("[0].status")).isEqualTo("succeeded");
        assertThat(builds.getString("[0].commit")).isEqualTo(baseCommit);
        assertThat(builds.getString("[0].pipelineId")).isEqualTo(push.toString());
        String baseDigest1 = builds.getString("[0].digest");
        assertThat(baseDigest1).isEqualTo(registry.digest("team/base", "1"));
        assertThat(registry.files("team/base", "1")).containsEntry("hello.txt", "v1");
        assertThat(registry.labels("team/base", "1"))
                .containsEntry("org.opencontainers.image.revision", baseCommit)
                .containsEntry("org.opencontainers.image.source", baseRepo);

        // app built once by hand on base v1
        given().contentType("application/json").body("{}").post("/api/build-configs/app/builds").then().statusCode(202);
        JsonPath app = awaitBuild("app");
        // build-service's storage keeps the base it pulled, and the build's own image goes once the build has reported
        Buildah storage = new Buildah(settings.storageRoot());
        String local = "localhost/cascade-build/" + app.getString("[0].id") + ":latest";
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(storage.images())
                .contains(reg + "/team/base:1").doesNotContain(local));
        assertThat(app.getMap("[0].baseDigests")).containsEntry(reg + "/team/base:1", baseDigest1);
        assertThat(registry.labels("team/app", "1"))
                .containsEntry("org.opencontainers.image.base.name", reg + "/team/base:1")
                .containsEntry("org.opencontainers.image.base.digest", baseDigest1);

        // base v2 is built: its success publishes the new base image, which rebuilds app once, in base v2's pipeline
        String baseCommit2 = git.commit("base", Map.of("hello.txt", "v2"), "base v2");
        UUID baseV2Pipeline = UUID.fromString(given().contentType("application/json").body("{\"commit\":\"" + baseCommit2 + "\"}")
                .post("/api/build-configs/base/builds").then().statusCode(202).extract().path("pipelineId"));
        await().atMost(Duration.ofSeconds(120)).until(() -> given().queryParam("config", "base").queryParam("status", "succeeded")
                .get("/api/builds").then().extract().jsonPath().getList("$").size() == 2);
        String baseDigest2 = registry.digest("team/base", "1");
        assertThat(baseDigest2).isNotEqualTo(baseDigest1);
        // the registry's report of that push (as trigger-service forwards it), delivered twice, is the same image
        UUID report = UUID.randomUUID();
        String reported = """
                {"image":"%s/team/base:1","registry":"%s","repository":"team/base","tag":"1","digest":"%s","sender":"distribution"}"""
                .formatted(reg, reg, baseDigest2);
        publish(Topics.IMAGE_REPORTS, reg + "/team/base", report, EventTypes.IMAGE_REPORTED, reported);
        publish(Topics.IMAGE_REPORTS, reg + "/team/base", report, EventTypes.IMAGE_REPORTED, reported); // redelivered
        RegistryReports.awaitTaken(registry, "team/base");
        assertThat(given().queryParam("pipeline", report).get("/api/builds").then().extract().jsonPath().getList("$")).isEmpty();

        await().atMost(Duration.ofSeconds(120)).until(() -> given().queryParam("config", "app").queryParam("status", "succeeded")
                .get("/api/builds").then().extract().jsonPath().getList("$").size() == 2);
        JsonPath appBuilds = given().queryParam("config", "app").get("/api/builds").then().extract().jsonPath();
        assertThat(appBuilds.getList("$")).hasSize(2);
        assertThat(appBuilds.getString("[0].pipelineId")).isEqualTo(baseV2Pipeline.toString());
        assertThat(appBuilds.getString("[0].reason")).contains("base image " + reg + "/team/base:1 changed");
        assertThat(appBuilds.getMap("[0].baseDigests")).containsEntry(reg + "/team/base:1", baseDigest2);
        assertThat(registry.files("team/app", "1")).containsEntry("hello.txt", "v2").containsEntry("app.txt", "app");
    }

    @Test
    void lifecycleEventsCarryPipelineAndCausation() throws Exception {
        String repo = git.create("events");
        String commit = git.commit("events", Map.of("Dockerfile", "FROM scratch\nCOPY a /a\n", "a", "a"), "one");
        create(config("events", repo, reg + "/team/events:1", null));
        String canonical = "file://" + work.resolve("git/events");
        UUID push = UUID.randomUUID();
        try (KafkaCompanion kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers())) {
            var task = kafka.consume(Serdes.String(), Serdes.String()).fromTopics(Topics.BUILDS);
            publish(Topics.SOURCE, canonical, push, EventTypes.SOURCE_PUSHED, pushEvent(canonical, commit));
            await().atMost(Duration.ofSeconds(120)).until(() -> task.getRecords().stream()
                    .anyMatch(r -> "events".equals(r.key()) && "cascade.build.succeeded".equals(CloudEventRecords.header(r.headers(), "ce_type"))));
            List<String> types = task.getRecords().stream().filter(r -> "events".equals(r.key()))
                    .map(r -> CloudEventRecords.header(r.headers(), "ce_type")).toList();
            assertThat(types).containsExactly("cascade.build.queued", "cascade.build.started", "cascade.build.succeeded");
            task.getRecords().stream().filter(r -> "events".equals(r.key())).forEach(r -> {
                assertThat(CloudEventRecords.header(r.headers(), "ce_pipelineid")).isEqualTo(push.toString());
                assertThat(CloudEventRecords.header(r.headers(), "ce_causationid")).isEqualTo(push.toString());
            });
            var succeeded = task.getRecords().stream().filter(r -> "cascade.build.succeeded".equals(CloudEventRecords.header(r.headers(), "ce_type"))
                    && "events".equals(r.key())).findFirst().orElseThrow();
            assertThat(succeeded.value()).contains("\"digest\":\"" + registry.digest("team/events", "1") + "\"").contains("\"commit\":\"" + commit + "\"");
            task.close();
        }
    }

    @Test
    void aFailingDockerfileGivesAFailedBuildWithALogThatShowsWhy() throws Exception {
        String repo = git.create("broken");
        git.commit("broken", Map.of("Dockerfile", "FROM scratch\nCOPY does-not-exist.txt /x\n"), "broken");
        create(config("broken", repo, reg + "/team/broken:1", null));
        String id = given().contentType("application/json").body("{}").post("/api/build-configs/broken/builds").then().statusCode(202)
                .extract().path("id");
        JsonPath b = awaitBuild("broken");
        assertThat(b.getString("[0].status")).isEqualTo("failed");
        assertThat(b.getString("[0].reason")).contains("buildah bud failed");
        given().get("/api/builds/" + id + "/log").then().statusCode(200).body(containsString("does-not-exist.txt"));
    }

    @Test
    void aDockerfileOrContextDirThatLeavesTheCheckoutThroughASymbolicLinkIsRefusedAndNeverRead() throws Exception {
        String repo = git.create("escape");
        git.commit("escape", Map.of("build.Dockerfile", "FROM scratch\nCOPY a /a\n", "a", "a", "ctx/Dockerfile", "FROM scratch\n"), "regular files");
        create(sourceConfig("escape-file", repo, "\"dockerfile\":\"build.Dockerfile\""));
        create(sourceConfig("escape-ctx", repo, "\"contextDir\":\"ctx\""));

        // the repository then points both paths out of the checkout
        git.link("escape", "build.Dockerfile", "/etc/passwd", "Dockerfile from the host");
        git.link("escape", "ctx", "/etc", "context from the host");

        // a config naming them now is refused when its Dockerfile is read for the graph, without showing what they point at
        for (String source : List.of("\"dockerfile\":\"build.Dockerfile\"", "\"contextDir\":\"ctx\",\"dockerfile\":\"passwd\"")) {
            String refused = given().contentType("application/json").body(sourceConfig("escape-new", repo, source))
                    .post("/api/build-configs").then().statusCode(422).contentType("application/problem+json")
                    .body("violations[0].field", equalTo(source.contains("contextDir") ? "source.contextDir" : "source.dockerfile"))
                    .body("violations[0].reason", containsString("escapes the workspace through a symbolic link")).extract().asString();
            assertThat(refused).doesNotContain("root:");
        }
        given().get("/api/build-configs/escape-new").then().statusCode(404);

        // the configs made before the links fail their builds for good, before buildah sees the host's files
        Map<String, String> field = Map.of("escape-file", "source.dockerfile", "escape-ctx", "source.contextDir");
        for (String config : field.keySet()) {
            String id = given().contentType("application/json").body("{}").post("/api/build-configs/" + config + "/builds")
                    .then().statusCode(202).extract().path("id");
            JsonPath b = awaitBuild(config);
            assertThat(b.getString("[0].status")).isEqualTo("failed");
            assertThat(b.getString("[0].reason")).isEqualTo(field.get(config) + " escapes the workspace through a symbolic link: "
                    + (config.equals("escape-file") ? "build.Dockerfile" : "ctx"));
            assertThat(given().get("/api/builds/" + id + "/log").then().statusCode(200).extract().asString())
                    .contains("$ git").doesNotContain("$ buildah bud").doesNotContain("root:");
        }
    }

    static String sourceConfig(String name, String repoUrl, String sourceFields) {
        return """
                {"name":"%s","source":{"repository":"%s",%s},"output":"%s/team/%s:1"}""".formatted(name, repoUrl, sourceFields, reg, name);
    }

    @Test
    void cancelStopsARunningBuild() throws Exception {
        String repo = git.create("slow");
        git.commit("slow", Map.of("Dockerfile", "FROM " + reg + "/tools/busybox:1\nRUN echo sleeping && sleep 300\n"), "slow");
        create(config("slow", repo, reg + "/team/slow:1", null));
        String id = given().contentType("application/json").body("{}").post("/api/build-configs/slow/builds").then().statusCode(202)
                .extract().path("id");
        await().atMost(Duration.ofSeconds(60)).until(() -> given().get("/api/builds/" + id + "/log").then().extract().asString().contains("sleeping"));

        given().post("/api/builds/" + id + "/cancel").then().statusCode(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> given().get("/api/builds/" + id).then()
                .body("status", equalTo("cancelled")).body("reason", equalTo("cancelled by request")));
        // the step's process tree is killed; its last process may take a moment to go
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(ProcessHandle.allProcesses()
                .flatMap(p -> p.info().commandLine().stream()).filter(c -> c.contains("sleep 300"))).isEmpty());
    }

    @Test
    void sourceToImageBuildsAnAppOnABusyboxBuilder() throws Exception {
        Path ctx = Files.createDirectories(work.resolve("s2i-builder"));
        Files.writeString(ctx.resolve("assemble"), "#!/bin/sh\nset -e\nmkdir -p /opt/app\ncp -r /tmp/src/. /opt/app/\necho \"assembled $GREETING\" > /opt/app/assembled.txt\n");
        Files.writeString(ctx.resolve("run"), "#!/bin/sh\nexec cat /opt/app/index.html\n");
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM %s/tools/busybox:1
                LABEL io.openshift.s2i.scripts-url=image:///usr/libexec/s2i
                COPY assemble run /usr/libexec/s2i/
                RUN chmod +x /usr/libexec/s2i/assemble /usr/libexec/s2i/run && mkdir -p /opt/app && chown 1001:0 /opt/app
                USER 1001
                """.formatted(reg));
        new Buildah(work.resolve("buildah")).buildAndPush(ctx, reg + "/tools/s2i-busybox:1");

        String repo = git.create("site");
        git.commit("site", Map.of("index.html", "<h1>hello</h1>\n", ".s2i/environment", "GREETING=from-s2i\n"), "site");
        create(config("site", repo, reg + "/team/site:1", "\"strategy\":{\"type\":\"source\",\"builderImage\":\"" + reg + "/tools/s2i-busybox:1\"}"));
        String id = given().contentType("application/json").body("{}").post("/api/build-configs/site/builds").then().statusCode(202)
                .extract().path("id");

        JsonPath b = awaitBuild("site");
        assertThat(b.getString("[0].status")).as(() -> given().get("/api/builds/" + id + "/log").asString()).isEqualTo("succeeded");
        Map<String, String> files = registry.files("team/site", "1");
        assertThat(files).containsEntry("opt/app/index.html", "<h1>hello</h1>\n").containsEntry("opt/app/assembled.txt", "assembled from-s2i\n");
        assertThat(registry.labels("team/site", "1")).containsEntry("io.openshift.s2i.build.image", reg + "/tools/s2i-busybox:1");

        // .s2i/environment is read on the build host: one linked to the host's own environment is refused, not read
        git.link("site", ".s2i/environment", "/proc/self/environ", "environment from the host");
        String linked = given().contentType("application/json").body("{}").post("/api/build-configs/site/builds").then().statusCode(202)
                .extract().path("id");
        JsonPath refused = awaitBuild("site");
        assertThat(refused.getString("[0].id")).isEqualTo(linked);
        assertThat(refused.getString("[0].status")).isEqualTo("failed");
        assertThat(refused.getString("[0].reason")).isEqualTo(".s2i/environment escapes the workspace through a symbolic link: .s2i/environment");
        assertThat(given().get("/api/builds/" + linked + "/log").then().statusCode(200).extract().asString())
                .contains("$ git").doesNotContain("generated Dockerfile").doesNotContain("PATH=");
    }

    @Test
    void invalidConfigsAreRefusedNamingTheFieldAndCyclesNamingTheCycle() throws Exception {
        given().contentType("application/json").body("{\"name\":\"Bad_Name\",\"source\":{\"repository\":\"not a url\",\"contextDir\":\"../..\"},"
                        + "\"output\":\"x@sha256:" + "a".repeat(64) + "\",\"runPolicy\":\"Sometimes\"}")
                .post("/api/build-configs").then().statusCode(422)
                .contentType("application/problem+json")
                .body("violations.field", hasItem("name"))
                .body("violations.field", hasItem("source.repository"))
                .body("violations.field", hasItem("source.contextDir"))
                .body("violations.field", hasItem("output"))
                .body("violations.field", hasItem("runPolicy"));

        String r1 = git.create("c1");
        String r2 = git.create("c2");
        git.commit("c1", Map.of("Dockerfile", "FROM " + reg + "/loop/c2:1\n"), "c1");
        git.commit("c2", Map.of("Dockerfile", "FROM " + reg + "/loop/c1:1\n"), "c2");
        create(config("c1", r1, reg + "/loop/c1:1", null));
        given().contentType("application/json").body(config("c2", r2, reg + "/loop/c2:1", null)).post("/api/build-configs").then()
                .statusCode(422).body("detail", containsString("cycle")).body("detail", containsString("c2 → c1 → c2"));

        String self = git.create("selfish");
        git.commit("selfish", Map.of("Dockerfile", "FROM " + reg + "/loop/selfish:1\n"), "self");
        given().contentType("application/json").body(config("selfish", self, reg + "/loop/selfish:1", null)).post("/api/build-configs").then()
                .statusCode(422).body("detail", containsString("its own output"));
    }

    @Test
    void configsApplyFromYaml() throws Exception {
        String repo = git.create("yaml");
        git.commit("yaml", Map.of("Dockerfile", "FROM scratch\n"), "y");
        String yaml = """
                - name: yaml-one
                  source: {repository: %s, branch: main}
                  output: %s/yaml/one:1
                  runPolicy: SerialLatestOnly
                - name: yaml-two
                  source: {repository: %s}
                  output: %s/yaml/two:1
                  triggers: {gitPush: false}
                """.formatted(repo, reg, repo, reg);
        given().contentType("application/yaml").body(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)).put("/api/build-configs").then().statusCode(200)
                .body("created", hasItem("yaml-one")).body("created", hasItem("yaml-two"));
        given().contentType("application/yaml").body(yaml.getBytes(java.nio.charset.StandardCharsets.UTF_8)).put("/api/build-configs").then().statusCode(200)
                .body("updated", hasItem("yaml-one"));
        given().get("/api/build-configs/yaml-two").then().statusCode(200).body("triggers.gitPush", equalTo(false))
                .body("runPolicy", equalTo("Serial"));
    }
}
