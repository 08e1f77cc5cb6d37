package dev.cascade.build.watch;

import static dev.cascade.build.watch.WatchedRegistriesResource.STEADY;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.build.executor.ExecutorSettings;
import dev.cascade.buildstep.BuildahSettings;
import dev.cascade.common.events.Topics;
import dev.cascade.messaging.BackgroundWork;
import dev.cascade.registry.RegistryClient;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.CloudEventRecords;
import dev.cascade.testsupport.GitRepos;
import dev.cascade.testsupport.RegistryProxy;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.smallrye.reactive.messaging.kafka.companion.ConsumerTask;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tags nobody sends webhooks for are asked for their digest on an interval: a new digest cascades as a registry's report
 * does, with sender {@code poll}; registries' throttling, failures, budgets and credentials are honoured; two watchers
 * ask each tag once per interval. A real registry (and proxies in front of it), real builds, the real broker and
 * database; build-service watches with a 3 s interval.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "build"))
@WithTestResource(value = WatchedRegistriesResource.class, scope = TestResourceScope.RESTRICTED_TO_CLASS)
class ImageWatchTests {

    static final ObjectMapper JSON = new ObjectMapper();
    static final Duration INTERVAL = Duration.ofSeconds(3);
    /** Time a tick, a check and its record may add to an interval. */
    static final Duration SLACK = Duration.ofMillis(1500);

    static String reg;
    static String base;
    static String steady;
    static GitRepos git;

    @Inject
    Vertx vertx;
    @Inject
    Pool pool;
    @Inject
    RegistryClient registryClient;
    @Inject
    ExecutorSettings executor;
    @Inject
    WatchSettings settings;
    @Inject
    WatchBudgets budgets;
    @Inject
    WatchRecords records;

    /** Once, before the first test (RestAssured reaches the application only from the first test on). */
    @BeforeEach
    void configs() throws Exception {
        if (reg != null) {
            return;
        }
        reg = WatchedRegistriesResource.registry.host();
        base = reg + "/upstream/base:1";
        steady = reg + "/" + STEADY + ":1";
        pushBase("one");
        git = new GitRepos(WatchedRegistriesResource.work.resolve("git"));

        String app = git.create("watch-app");
        git.commit("watch-app", Map.of("Dockerfile", "FROM " + steady + " AS steady\nFROM " + base + "\nCOPY a /a\n", "a", "a"), "app");
        createConfig("{\"name\":\"watch-app\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s\"}".formatted(app, reg + "/team/watch-app:1"));
        JsonPath build = awaitEnd(given().contentType("application/json").body("{}").post("/api/build-configs/watch-app/builds")
                .then().statusCode(202).extract().path("id"));
        assertThat(build.getString("status")).isEqualTo("succeeded");

        StringBuilder froms = new StringBuilder();
        for (RegistryProxy proxy : List.of(WatchedRegistriesResource.throttling, WatchedRegistriesResource.failing,
                WatchedRegistriesResource.basic, WatchedRegistriesResource.wrongCredentials)) {
            froms.append("FROM ").append(proxy.host()).append('/').append(STEADY).append(":1\n");
        }
        for (String tag : List.of("1", "2", "3", "4")) {
            froms.append("FROM ").append(WatchedRegistriesResource.budgeted.host()).append('/').append(STEADY).append(':').append(tag).append('\n');
        }
        for (String tag : List.of("1", "2", "3")) {
            froms.append("FROM ").append(WatchedRegistriesResource.replicas.host()).append('/').append(STEADY).append(':').append(tag).append('\n');
        }
        String proxied = git.create("watch-proxied");
        git.commit("watch-proxied", Map.of("Dockerfile", froms + "FROM scratch\nCOPY a /a\n", "a", "a"), "proxied");
        createConfig("{\"name\":\"watch-proxied\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s\"}".formatted(proxied, reg + "/team/proxied:1"));

        createConfig("{\"name\":\"watch-s2i\",\"source\":{\"repository\":\"%s\"},\"strategy\":{\"type\":\"source\",\"builderImage\":\"%s\"},\"output\":\"%s\"}"
                .formatted(app, reg + "/upstream/builder:1", reg + "/team/s2i:1"));
        createConfig("{\"name\":\"watch-s2i-pinned\",\"source\":{\"repository\":\"%s\"},\"strategy\":{\"type\":\"source\",\"builderImage\":\"%s\"},\"output\":\"%s\"}"
                .formatted(app, reg + "/upstream/pinned@sha256:" + "e".repeat(64), reg + "/team/s2i-pinned:1"));
    }

    @Test
    void aRePushedTagIsFoundWithinAnIntervalAndCascadesOnceAsAPushWithSenderPollWhileAnUnchangedTagNeverDoes() throws Exception {
        String before = WatchedRegistriesResource.registry.digest("upstream/base", "1");
        await().atMost(Duration.ofSeconds(20)).until(() -> before.equals(watched(base).getString("lastDigest")));
        await().atMost(Duration.ofSeconds(20)).until(() -> watched(steady).getString("lastDigest") != null);

        try (KafkaCompanion kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers());
             ConsumerTask<String, String> images = kafka.consume(Serdes.String(), Serdes.String()).fromTopics(Topics.IMAGES)) {
            String after = pushBase("two");
            Instant pushedAt = Instant.now();

            JsonPath found = await().atMost(Duration.ofSeconds(20)).until(() -> watched(base), w -> after.equals(w.getString("lastDigest")));
            assertThat(Duration.between(pushedAt, Instant.parse(found.getString("lastChangedAt"))))
                    .isLessThan(INTERVAL.plus(INTERVAL.dividedBy(10)).plus(SLACK));

            ConsumerRecord<String, String> pushed = await().atMost(Duration.ofSeconds(20)).until(
                    () -> pushesOf(images, "upstream/base"), l -> !l.isEmpty()).get(0);
            String id = CloudEventRecords.header(pushed.headers(), "ce_id");
            assertThat(CloudEventRecords.header(pushed.headers(), "ce_pipelineid")).isEqualTo(id);
            assertThat(CloudEventRecords.header(pushed.headers(), "ce_causationid")).isEqualTo(id);
            assertThat(pushed.value()).contains("\"sender\":\"poll\"").contains("\"digest\":\"" + after + "\"")
                    .contains("\"image\":\"" + base + "\"");

            await().atMost(Duration.ofSeconds(30)).until(() -> given().queryParam("config", "watch-app").queryParam("pipeline", id)
                    .get("/api/builds").then().statusCode(200).extract().jsonPath().getList("id").size() == 1);

            // two more intervals: the tag is asked again and again, and nothing more is published or built, at any moment
            Duration twoIntervals = INTERVAL.multipliedBy(2).plus(SLACK);
            await().during(twoIntervals).atMost(twoIntervals.plusSeconds(5)).untilAsserted(() -> {
                assertThat(pushesOf(images, "upstream/base")).hasSize(1);
                assertThat(pushesOf(images, STEADY)).isEmpty();
                assertThat(given().queryParam("config", "watch-app").get("/api/builds").then().extract().jsonPath().getList("id")).hasSize(2);
            });
            assertThat(Instant.parse(watched(base).getString("lastCheckedAt"))).isAfter(Instant.parse(found.getString("lastCheckedAt")));
        }
    }

    @Test
    void aThrottlingRegistryIsLeftAloneForItsRetryAfterAndAFailingOneForABackoffThatDoubles() throws Exception {
        RegistryProxy throttling = WatchedRegistriesResource.throttling;
        await().atMost(Duration.ofSeconds(20)).until(() -> throttling.manifestRequests(STEADY).size() >= 2);
        List<RegistryProxy.Request> asked = throttling.manifestRequests(STEADY);
        assertThat(asked.get(0).status()).isEqualTo(429);
        assertThat(asked.get(1).status()).isEqualTo(200);
        assertThat(Duration.between(asked.get(0).at(), asked.get(1).at())).isGreaterThanOrEqualTo(Duration.ofMillis(2900));

        RegistryProxy failing = WatchedRegistriesResource.failing;
        await().atMost(Duration.ofSeconds(20)).until(() -> failing.manifestRequests(STEADY).size() >= 4);
        List<RegistryProxy.Request> tries = failing.manifestRequests(STEADY);
        assertThat(tries.subList(0, 3)).allMatch(r -> r.status() == 503);
        assertThat(tries.get(3).status()).isEqualTo(200);
        Duration first = Duration.between(tries.get(0).at(), tries.get(1).at());
        Duration second = Duration.between(tries.get(1).at(), tries.get(2).at());
        Duration third = Duration.between(tries.get(2).at(), tries.get(3).at());
        assertThat(first).isGreaterThanOrEqualTo(Duration.ofMillis(450));
        assertThat(second).isGreaterThanOrEqualTo(Duration.ofMillis(950));
        assertThat(third).isGreaterThanOrEqualTo(Duration.ofMillis(1950)); // doubled, then capped at 2 s
        // recovered: the registry shows no error and no backoff
        JsonPath tag = watched(failing.host() + "/" + STEADY + ":1");
        assertThat(tag.getString("lastDigest")).isNotNull();
        assertThat(tag.getString("lastError")).isNull();
        assertThat(tag.getString("registryState.backoffUntil")).isNull();
    }

    @Test
    void aRegistrysBudgetHoldsForAllItsTagsTogether() throws Exception {
        RegistryProxy budgeted = WatchedRegistriesResource.budgeted;
        await().atMost(Duration.ofSeconds(20)).until(() -> budgeted.manifestRequests(STEADY).size() >= WatchedRegistriesResource.BUDGET);
        // four tags due every 3 s: 8 more checks over two intervals without the budget; none at any moment with it
        Duration twoIntervals = INTERVAL.multipliedBy(2).plus(SLACK);
        await().during(twoIntervals).atMost(twoIntervals.plusSeconds(5))
                .untilAsserted(() -> assertThat(budgeted.manifestRequests(STEADY)).hasSize(WatchedRegistriesResource.BUDGET));

        List<Map<String, Object>> tags = given().queryParam("registry", budgeted.host()).get("/api/watched-images").then().statusCode(200)
                .extract().jsonPath().getList("$");
        assertThat(tags).hasSize(4);
        assertThat(tags).extracting(t -> t.get("registryState")).allSatisfy(state -> {
            assertThat(state).extracting("budgetPerHour").isEqualTo(WatchedRegistriesResource.BUDGET);
            assertThat(state).extracting("remaining").isEqualTo(0);
            assertThat(state).extracting("backoffUntil").isNull();
        });
        assertThat(tags.stream().filter(t -> t.get("lastCheckedAt") == null)).hasSize(1);
    }

    @Test
    void configuredCredentialsAreUsedAndRefusedOnesAreShownAndNotAskedAgainAtOnce() throws Exception {
        String basic = "Basic " + Base64.getEncoder().encodeToString((WatchedRegistriesResource.USER + ":" + WatchedRegistriesResource.PASSWORD).getBytes());
        RegistryProxy good = WatchedRegistriesResource.basic;
        await().atMost(Duration.ofSeconds(20)).until(() -> watched(good.host() + "/" + STEADY + ":1").getString("lastDigest") != null);
        assertThat(good.manifestRequests(STEADY)).anyMatch(r -> basic.equals(r.authorization()) && r.status() == 200);

        RegistryProxy wrong = WatchedRegistriesResource.wrongCredentials;
        String tag = wrong.host() + "/" + STEADY + ":1";
        JsonPath refused = await().atMost(Duration.ofSeconds(20)).until(() -> watched(tag), w -> w.getString("lastError") != null);
        assertThat(refused.getString("lastError")).contains("refused the configured credentials").doesNotContain("wrong");
        assertThat(refused.getString("lastDigest")).isNull();
        assertThat(refused.getString("registryState.lastError")).contains("refused the configured credentials");

        int before = wrong.manifestRequests(STEADY).size();
        Duration window = Duration.ofSeconds(5);
        await().during(window).atMost(window.plusSeconds(5))
                .untilAsserted(() -> assertThat(wrong.manifestRequests(STEADY).size() - before).isLessThanOrEqualTo(12));
        int checks = wrong.manifestRequests(STEADY).size() - before;
        // a check is two requests (the challenge, then the credentials); asked at every 200 ms tick it would be 50
        assertThat(checks).isBetween(2, 12);
    }

    @Test
    void twoWatchersOnOneDatabaseAskEachTagOncePerInterval() throws Exception {
        RegistryProxy replicas = WatchedRegistriesResource.replicas;
        TagWatcher other = new TagWatcher(vertx, pool, registryClient.withPlainHttp(r -> BuildahSettings.listed(executor.insecureRegistries(), r)),
                settings, budgets, records, "another-instance");
        AtomicInteger checkedByOther = new AtomicInteger();
        AtomicInteger rounds = new AtomicInteger();
        AtomicInteger started = new AtomicInteger();
        long timer = vertx.setPeriodic(100, t -> {
            started.incrementAndGet();
            BackgroundWork.run(vertx, "another watcher", () -> other.round().invoke(n -> {
                rounds.incrementAndGet();
                checkedByOther.addAndGet(n);
            }));
        });
        Instant start = Instant.now();
        try {
            Thread.sleep(INTERVAL.multipliedBy(3).plus(SLACK).toMillis());
        } finally {
            vertx.cancelTimer(timer);
        }
        assertThat(checkedByOther).as("checks of the other watcher (%d rounds of %d started)", rounds.get(), started.get()).hasPositiveValue();
        Duration shortest = INTERVAL.minus(INTERVAL.dividedBy(10)).minusMillis(100);
        for (String tag : List.of("1", "2", "3")) {
            List<Instant> asked = replicas.manifestRequests(STEADY).stream().filter(r -> r.path().endsWith("/manifests/" + tag))
                    .map(RegistryProxy.Request::at).filter(at -> at.isAfter(start)).toList();
            assertThat(asked).as("checks of tag %s", tag).hasSizeBetween(2, 5);
            for (int i = 1; i < asked.size(); i++) {
                assertThat(Duration.between(asked.get(i - 1), asked.get(i))).as("tag %s, check %d", tag, i).isGreaterThanOrEqualTo(shortest);
            }
        }
    }

    @Test
    void theApiAnswersEveryWatchedTagInTheDocumentedShapeSortedAndFiltered() throws Exception {
        await().atMost(Duration.ofSeconds(20)).until(() -> watched(base).getString("lastDigest") != null);
        List<Map<String, Object>> all = given().get("/api/watched-images").then().statusCode(200).extract().jsonPath().getList("$");
        List<String> images = all.stream().map(t -> (String) t.get("image")).toList();
        assertThat(images).isSorted().contains(base, steady, reg + "/upstream/builder:1")
                .doesNotContain(reg + "/team/watch-app:1", reg + "/upstream/pinned:latest");

        Map<String, Object> one = all.stream().filter(t -> base.equals(t.get("image"))).findFirst().orElseThrow();
        assertThat(one).containsOnlyKeys("image", "registry", "watchedFor", "webhooks", "interval", "lastCheckedAt", "lastDigest",
                "lastChangedAt", "nextCheckAt", "lastError", "registryState");
        assertThat(one.get("registry")).isEqualTo(reg);
        assertThat(one.get("watchedFor")).isEqualTo(Map.of("configs", List.of("watch-app"), "builders", List.of(), "workloads", List.of()));
        assertThat(one.get("webhooks")).isEqualTo(false);
        assertThat(one.get("interval")).isEqualTo("PT3S");
        assertThat((String) one.get("lastDigest")).startsWith("sha256:");
        assertThat(Instant.parse((String) one.get("nextCheckAt"))).isAfter(Instant.parse((String) one.get("lastCheckedAt")));
        @SuppressWarnings("unchecked")
        Map<String, Object> state = (Map<String, Object>) one.get("registryState");
        assertThat(state).containsOnlyKeys("budgetPerHour", "remaining", "backoffUntil", "lastError");
        assertThat(state.get("budgetPerHour")).isEqualTo(3600);

        JsonPath builder = await().atMost(Duration.ofSeconds(20)).until(() -> watched(reg + "/upstream/builder:1"),
                w -> w.getString("lastError") != null);
        assertThat(builder.getList("watchedFor.builders")).containsExactly("watch-s2i");
        assertThat(builder.getString("lastError")).contains("tag not found");

        List<Map<String, Object>> ofOne = given().queryParam("registry", WatchedRegistriesResource.basic.host()).get("/api/watched-images")
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(ofOne).extracting(t -> t.get("image")).containsExactly(WatchedRegistriesResource.basic.host() + "/" + STEADY + ":1");
        List<Map<String, Object>> failing = given().queryParam("failing", true).get("/api/watched-images")
                .then().statusCode(200).extract().jsonPath().getList("$");
        assertThat(failing).allMatch(t -> t.get("lastError") != null);
        Set<Object> failingImages = failing.stream().map(t -> t.get("image")).collect(Collectors.toSet());
        assertThat(failingImages).contains(reg + "/upstream/builder:1").doesNotContain(base);

        // a config saved later on a tag already watched: the tag's reasons change, its row is updated, not added again
        String also = git.create("watch-also");
        git.commit("watch-also", Map.of("Dockerfile", "FROM " + steady + "\nCOPY a /a\n", "a", "a"), "also");
        createConfig("{\"name\":\"watch-also\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s\"}".formatted(also, reg + "/team/watch-also:1"));
        JsonPath updated = await().atMost(Duration.ofSeconds(20)).until(() -> watched(steady),
                w -> w.getList("watchedFor.configs").contains("watch-also"));
        assertThat(updated.getList("watchedFor.configs")).containsExactly("watch-also", "watch-app");
        assertThat(given().get("/api/watched-images").then().statusCode(200).extract().jsonPath().getList("image", String.class))
                .containsOnlyOnce(steady);
    }

    // ---- helpers -------------------------------------------------------------------------------------------

    /** The watched tag's entry of {@code GET /api/watched-images}; every path reads null until the tag is watched. */
    static JsonPath watched(String image) throws Exception {
        List<Map<String, Object>> tags = given().queryParam("registry", image.substring(0, image.indexOf('/'))).get("/api/watched-images")
                .then().statusCode(200).extract().jsonPath().getList("$");
        Map<String, Object> tag = tags.stream().filter(t -> image.equals(t.get("image"))).findFirst().orElse(Map.of());
        return new JsonPath(JSON.writeValueAsString(tag));
    }

    /** The image pushes of a repository of the test's registry seen so far. */
    static List<ConsumerRecord<String, String>> pushesOf(ConsumerTask<String, String> images, String repository) {
        return new ArrayList<>(images.getRecords().stream().filter(r -> (reg + "/" + repository).equals(r.key())).toList());
    }

    static String pushBase(String content) throws Exception {
        Path ctx = Files.createDirectories(WatchedRegistriesResource.work.resolve("base-" + content));
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY a /a\n");
        Files.writeString(ctx.resolve("a"), content);
        return WatchedRegistriesResource.buildah.buildAndPush(ctx, WatchedRegistriesResource.registry.host() + "/upstream/base:1");
    }

    static void createConfig(String json) {
        given().contentType("application/json").body(json).post("/api/build-configs").then().statusCode(201);
    }

    static JsonPath awaitEnd(String id) {
        return await().atMost(Duration.ofSeconds(120)).until(() -> given().get("/api/builds/" + id).then().extract().jsonPath(),
                b -> List.of("succeeded", "failed", "cancelled").contains(b.getString("status")));
    }
}
