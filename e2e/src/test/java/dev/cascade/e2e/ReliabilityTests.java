package dev.cascade.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.CascadeSystem;
import dev.cascade.testsupport.DatabaseRows;
import dev.cascade.testsupport.FollowingDeployment;
import dev.cascade.testsupport.GitRepos;
import dev.cascade.testsupport.ServiceProcess;
import dev.cascade.testsupport.TestTokens;
import dev.cascade.testsupport.WebhookRecorder;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.Utils;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What an outage or a crash may cost: nothing. A system of its own (these tests kill and restart its parts, so
 * they never share the {@link RunningSystem}), with every real part: the services as shipped, the KRaft broker,
 * PostgreSQL, the registry notifying trigger-service, buildah, git repositories and the Kubernetes mock server.
 *
 * <p>Each test runs a diamond cascade of its own (base; mid1 and mid2 FROM base; app FROM mid1 with a stage FROM
 * mid2; a Deployment running app) through one failure, and then requires the same end as without it: each config
 * built once in the base push's pipeline, app after both middles and on their new images, one rollout of app's new
 * digest, the pipeline succeeded, and nothing left behind anywhere: no build queued or running, no rollout
 * pending, no pipeline running, no event unpublished in any outbox, no event on a dead-letter topic.
 *
 * <p>The tests run in this order, each on what the one before left: the broker stopped for a minute while
 * webhooks arrive; each service killed (SIGKILL, with the processes it started) in the middle of a cascade and
 * started again; deploy-service halted by its test crash point between a patch and its commit; PostgreSQL restarted
 * in the middle of a cascade; chaos rounds (tag {@code chaos}: each service killed at a random moment of a cascade,
 * round after round); two instances of every service on the same broker and databases; then, on those two
 * instances, failover from a killed deploy-service to the survivor, and builds cancelled through the instance that
 * does not run them.
 */
@Tag("reliability")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReliabilityTests {

    static final String NS = "reliable";
    static final String GENERIC_SECRET = "reliability-generic-hook-secret-0123456789";
    static final ObjectMapper JSON = new ObjectMapper();
    /** Short enough for the tests to wait out, long enough for a live owner to renew it many times. */
    static final Duration BUILD_LEASE = Duration.ofSeconds(10);
    /** A chaos round's kill comes at a random moment this long after its base push: within the cascade it starts. */
    static final Duration CHAOS_WINDOW = Duration.ofSeconds(20);

    static CascadeSystem system;
    static String reg;
    static GitRepos git;
    static Buildah buildah;
    static Instant suiteStarted;

    @BeforeAll
    static void start() throws Exception {
        suiteStarted = Instant.now();
        TestTokens.authenticateRestAssured();
        system = CascadeSystem.start(Path.of("..").toAbsolutePath().normalize(), NS, Map.of(
                "CASCADE_BUILD_COALESCE_WINDOW", "1s",
                "CASCADE_BUILD_LEASE", BUILD_LEASE.toSeconds() + "s",
                "CASCADE_WEBHOOKS_GENERIC_SECRETS", GENERIC_SECRET));
        reg = system.registry().host();
        git = new GitRepos(system.work().resolve("git"));
        buildah = new Buildah(system.work().resolve("buildah"));
        System.out.printf("reliability: system started in %d s%n", Duration.between(suiteStarted, Instant.now()).toSeconds());
    }

    @AfterAll
    static void stop() throws Exception {
        if (system == null) {
            return;
        }
        Path logs = Files.createDirectories(Path.of("target", "e2e-logs", "reliability"));
        try (var files = Files.list(system.logs())) {
            for (Path f : files.toList()) {
                Files.copy(f, logs.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Files.copy(system.infra().logFile(), logs.resolve("infra.log"), StandardCopyOption.REPLACE_EXISTING);
        system.close();
        System.out.printf("reliability: whole class took %d s%n", Duration.between(suiteStarted, Instant.now()).toSeconds());
    }

    /** A test that failed half-way may have left a service down: every test starts with all of them running. */
    @BeforeEach
    void everyServiceRuns() throws Exception {
        for (ServiceProcess s : system.services()) {
            if (!s.isAlive()) {
                s.restart();
            }
        }
        for (ServiceProcess s : system.services()) {
            s.awaitReady(Duration.ofMinutes(3));
        }
    }

    // ---- the scenarios ------------------------------------------------------------------------

    @Test
    @Order(1)
    void webhooksArrivingWhileTheBrokerIsDownForAMinuteAreAcceptedThenPublishedAndActedOn() throws Exception {
        Diamond d = Diamond.create("broker");
        GitConfig app = GitConfig.create("broker-git");
        int deliveriesBefore = system.recorder().deliveries.size();

        Instant stopped = Instant.now();
        system.infra().stopKafka();
        String newBase;
        Map<String, UUID> pipelineOfCommit = new LinkedHashMap<>();
        try {
            // the registry reports a new base, and three git pushes come in over the minute
            newBase = d.pushBase("v2");
            for (int i = 1; i <= 3; i++) {
                String commit = app.commit("v" + i);
                HttpResponse<String> answer = app.hook(system.trigger(), commit);
                assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
                pipelineOfCommit.put(commit, UUID.fromString(JSON.readTree(answer.body()).path("pipelineId").asText()));
                sleepUntil(stopped.plusSeconds(20L * i));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> d.registryReported(deliveriesBefore, newBase));
            sleepUntil(stopped.plusSeconds(60));
        } finally {
            system.infra().startKafka();
        }
        // the registry was never turned away, so it never had to hold or retry a notification
        List<WebhookRecorder.Delivery> during = system.recorder().deliveries.subList(deliveriesBefore, system.recorder().deliveries.size());
        assertThat(during).extracting(WebhookRecorder.Delivery::status).allMatch(s -> s >= 200 && s < 300);

        d.assertCascadedOnce(d.awaitPipeline(newBase), newBase);
        pipelineOfCommit.forEach(app::assertBuiltOnce);
        assertThat(at(system.build()).queryParam("config", app.name).get("/api/builds").then().extract().jsonPath().getList("$"))
                .hasSize(3);
        assertNothingLeftBehind();
    }

    @Test
    @Order(2)
    void triggerServiceKilledRightAfterAcknowledgingTheBasePushLosesNothing() throws Exception {
        Diamond d = Diamond.create("trigger");
        ServiceProcess trigger = system.trigger();
        int deliveriesBefore = system.recorder().deliveries.size();

        // killed the moment the registry's notification of the new base has been answered with a 2xx
        CompletableFuture<Void> killed = CompletableFuture.runAsync(() -> {
            try {
                Instant deadline = Instant.now().plusSeconds(60);
                while (!d.registryReportedBase(deliveriesBefore) && Instant.now().isBefore(deadline)) {
                    Thread.sleep(2);
                }
                trigger.kill();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        String newBase = d.pushBase("v2");
        killed.get();
        assertThat(d.registryReported(deliveriesBefore, newBase)).as("the push was acknowledged before the kill").isTrue();
        trigger.restart();
        trigger.awaitReady(Duration.ofMinutes(3));

        d.assertCascadedOnce(d.awaitPipeline(newBase), newBase);
        assertNothingLeftBehind();
    }

    @Test
    @Order(3)
    void buildServiceKilledWhileTheMiddlesBuildRebuildsThemOnceAfterItsRestart() throws Exception {
        Diamond d = Diamond.create("build");
        ServiceProcess build = system.build();
        String newBase = d.pushBase("v2");
        UUID pipeline = d.awaitPipeline(newBase);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> {
            List<String> started = at(build).queryParam("pipeline", pipeline).queryParam("status", "started").get("/api/builds")
                    .then().extract().jsonPath().getList("config", String.class);
            return started.containsAll(List.of(d.name + "-mid1", d.name + "-mid2"));
        });
        build.kill();
        build.restart();
        build.awaitReady(Duration.ofMinutes(3));

        d.assertCascadedOnce(pipeline, newBase);
        assertNothingLeftBehind();
    }

    @Test
    @Order(4)
    void deployServiceKilledWhileTheRolloutProgressesFinishesItOnceAfterItsRestart() throws Exception {
        Diamond d = Diamond.create("deploy");
        ServiceProcess deploy = system.deploy();
        system.controller().heldWorkloads.add(NS + "/" + d.workload());
        UUID pipeline;
        String newBase;
        try {
            newBase = d.pushBase("v2");
            pipeline = d.awaitPipeline(newBase);
            await().atMost(Duration.ofMinutes(4)).until(() -> at(deploy).queryParam("pipeline", pipeline).get("/api/rollouts")
                    .then().extract().jsonPath().getList("status", String.class).contains("progressing"));
            deploy.kill();
        } finally {
            // the cluster finishes the rollout while deploy-service is down
            system.controller().releaseWorkload(NS, d.workload());
        }
        deploy.restart();
        deploy.awaitReady(Duration.ofMinutes(3));

        d.assertCascadedOnce(pipeline, newBase);
        assertNothingLeftBehind();
    }

    @Test
    @Order(5)
    void deployServiceDyingBetweenItsPatchAndItsCommitStillEndsTheRolloutAfterItsRestart() throws Exception {
        ServiceProcess deploy = system.deploy();
        String repository = "rel/halted-web";
        String image = reg + "/" + repository + ":1";
        String workload = "halted-web";
        String first = system.registry().push(repository, "1");
        await().atMost(Duration.ofMinutes(1)).until(() -> at(deploy).queryParam("image", image).get("/api/image-pushes")
                .then().extract().jsonPath().getList("digest", String.class).contains(first));
        system.kubernetes().apps().deployments().inNamespace(NS).resource(FollowingDeployment.of(NS, workload, image, 2, 600)).create();

        // this run of deploy-service halts (as a SIGKILL would end it) right after its first patch, before it commits
        deploy.kill();
        deploy.restartWith(Map.of("CASCADE_TEST_CRASH_POINT", "after-patch"));
        deploy.awaitReady(Duration.ofMinutes(3));
        String second = system.registry().push(repository, "1");
        String patched = reg + "/" + repository + "@" + second;
        assertThat(deploy.awaitExit(Duration.ofMinutes(2))).as("deploy-service halted at its crash point").isTrue();
        assertThat(deploy.exitValue()).isEqualTo(137);
        assertThat(FollowingDeployment.image(system.kubernetes(), NS, workload)).as("the patch was made").isEqualTo(patched);
        assertThat(count("deploy", "SELECT count(*) FROM rollout WHERE name = ? AND image = ? AND status = 'PENDING'", workload, patched))
                .as("the rollout's new state was not committed").isEqualTo(1);

        Instant restarted = Instant.now();
        deploy.restart();
        deploy.awaitReady(Duration.ofMinutes(3));
        JsonPath rollouts = await().atMost(Duration.ofMinutes(2)).until(() -> at(deploy).queryParam("namespace", NS)
                .queryParam("workload", workload).get("/api/rollouts").then().extract().jsonPath(),
                j -> j.getList("status", String.class).contains("succeeded"));
        System.out.printf("reliability: rollout halted after its patch ended %d ms after the restart%n",
                Duration.between(restarted, Instant.now()).toMillis());
        assertThat(rollouts.getList("image", String.class)).containsExactly(patched);
        assertThat(patchesLogged(workload, patched)).as("patches of " + workload).isEqualTo(1);
        assertNothingLeftBehind();
    }

    @Test
    @Order(6)
    void postgresRestartedMidCascadeMakesTheServicesUnreadyThenLosesNothing() throws Exception {
        Diamond d = Diamond.create("postgres");
        String newBase = d.pushBase("v2");
        UUID pipeline = d.awaitPipeline(newBase);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(50)).until(() -> at(system.build())
                .queryParam("pipeline", pipeline).queryParam("status", "started").get("/api/builds")
                .then().extract().jsonPath().getList("config", String.class).size() == 2);

        Instant stopped = Instant.now();
        system.infra().stopPostgres();
        try {
            // the builds finish while it is down: their results, and the registry's notifications, wait for it
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).until(() -> {
                for (ServiceProcess s : system.services()) {
                    if (s.readiness() == 200) {
                        return false;
                    }
                }
                return true;
            });
            System.out.printf("reliability: all services reported not ready %d ms after PostgreSQL stopped%n",
                    Duration.between(stopped, Instant.now()).toMillis());
            sleepUntil(stopped.plusSeconds(30));
        } finally {
            system.infra().startPostgres();
        }
        Instant restarted = Instant.now();
        for (ServiceProcess s : system.services()) {
            s.awaitReady(Duration.ofMinutes(1));
        }
        System.out.printf("reliability: all services ready again %d ms after PostgreSQL started%n",
                Duration.between(restarted, Instant.now()).toMillis());

        d.assertCascadedOnce(pipeline, newBase);
        assertNothingLeftBehind();
    }

    /**
     * Round after round, one diamond cascade per service and round, the service killed with SIGKILL at a random moment
     * of the cascade and started again at once; after every round the cascade must have ended as without the kill and
     * left nothing behind. Two rounds per service by default; {@code -Dchaos.rounds=10} for the full run,
     * {@code -Dchaos.seed} to repeat one.
     */
    @Test
    @Order(7)
    @Tag("chaos")
    void repeatedKillsAtRandomMomentsOfDiamondCascadesLoseNothingAndDoNothingTwice() throws Exception {
        int rounds = Integer.getInteger("chaos.rounds", 2);
        long seed = Long.getLong("chaos.seed", System.nanoTime());
        Random random = new Random(seed);
        System.out.printf("chaos: %d rounds per service, seed %d, kills within %d ms of a base push%n", rounds, seed, CHAOS_WINDOW.toMillis());
        Instant began = Instant.now();
        Diamond d = Diamond.create("chaos");
        Map<String, Integer> kills = new LinkedHashMap<>();
        int cascades = 0;
        for (int round = 1; round <= rounds; round++) {
            for (ServiceProcess victim : List.of(system.trigger(), system.build(), system.deploy())) {
                cascades++;
                Instant roundBegan = Instant.now();
                long delay = random.nextLong(CHAOS_WINDOW.toMillis());
                String newBase = d.pushBase("round-" + cascades);
                sleepUntil(roundBegan.plusMillis(delay));
                victim.kill();
                victim.restart();
                victim.awaitReady(Duration.ofMinutes(3));
                kills.merge(victim.name, 1, Integer::sum);

                d.assertCascadedOnce(d.awaitPipeline(newBase), newBase, cascades);
                assertNothingLeftBehind();
                System.out.printf("chaos: round %d, %s killed %d ms after the base push: cascade %d ended once each, nothing left, in %d s%n",
                        round, victim.name, delay, cascades, Duration.between(roundBegan, Instant.now()).toSeconds());
            }
        }
        System.out.printf("chaos: %d kills %s, %d cascades, each config built once per pipeline and each rollout once, in %d s%n",
                cascades, kills, cascades, Duration.between(began, Instant.now()).toSeconds());
    }

    @Test
    @Order(8)
    void twoInstancesOfEveryServiceBuildAndRollOutEachThingOnce() throws Exception {
        // a long build runs on the first build-service while the second one starts, as in a rolling update
        GitConfig slow = GitConfig.create("replicas-slow", "FROM " + reg + "/rel/busybox:1\nRUN sleep 12\nCOPY app.txt /app.txt\n");
        buildah.pushBusybox(reg + "/rel/busybox:1");
        String slowBuild = at(system.build()).contentType("application/json").body("{}").post("/api/build-configs/" + slow.name + "/builds")
                .then().statusCode(202).extract().path("id");
        await().atMost(Duration.ofMinutes(2)).until(() -> "started".equals(at(system.build()).get("/api/builds/" + slowBuild)
                .then().extract().path("status")));
        ServiceProcess build2 = system.startInstance("build-service");
        ServiceProcess trigger2 = system.startInstance("trigger-service");
        ServiceProcess deploy2 = system.startInstance("deploy-service");
        // the registry's notifications reach both trigger-service instances in turn, as through a load balancer
        system.recorder().addTarget(trigger2.url() + "/webhooks/registry/distribution");

        Diamond d = Diamond.create("replicas");
        GitConfig app = GitConfig.create("replicas-git");
        String newBase = d.pushBase("v2");
        // four pushes, each delivered to both trigger-service instances at once (a sender retrying on a timeout)
        Map<String, UUID> pipelineOfCommit = new LinkedHashMap<>();
        for (int i = 1; i <= 4; i++) {
            String commit = app.commit("v" + i);
            CompletableFuture<HttpResponse<String>> first = CompletableFuture.supplyAsync(() -> app.hookUnchecked(system.trigger(), commit));
            CompletableFuture<HttpResponse<String>> second = CompletableFuture.supplyAsync(() -> app.hookUnchecked(trigger2, commit));
            List<Integer> statuses = List.of(first.get().statusCode(), second.get().statusCode());
            assertThat(statuses).as(first.get().body() + "\n" + second.get().body()).containsExactlyInAnyOrder(202, 200);
            UUID a = UUID.fromString(JSON.readTree(first.get().body()).path("pipelineId").asText());
            UUID b = UUID.fromString(JSON.readTree(second.get().body()).path("pipelineId").asText());
            assertThat(a).isEqualTo(b);
            pipelineOfCommit.put(commit, a);
        }

        d.assertCascadedOnce(d.awaitPipeline(newBase), newBase);
        pipelineOfCommit.forEach(app::assertBuiltOnce);
        // Serial: one build of a config at a time, whichever instance runs it
        JsonPath builds = at(build2).queryParam("config", app.name).get("/api/builds").then().extract().jsonPath();
        assertThat(builds.getList("$")).hasSize(4);
        List<OffsetDateTime[]> spans = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            spans.add(new OffsetDateTime[] {OffsetDateTime.parse(builds.getString("[" + i + "].startedAt")),
                    OffsetDateTime.parse(builds.getString("[" + i + "].finishedAt"))});
        }
        for (OffsetDateTime[] x : spans) {
            for (OffsetDateTime[] y : spans) {
                assertThat(x == y || !x[0].isBefore(y[1]) || !y[0].isBefore(x[1])).as("serial builds do not overlap").isTrue();
            }
        }
        JsonPath slowDone = await().atMost(Duration.ofMinutes(2)).until(() -> at(build2).get("/api/builds/" + slowBuild).then().extract().jsonPath(),
                j -> "succeeded".equals(j.getString("status")));
        assertThat(slowDone.getInt("attempt")).as("the build running while the second instance started ran once").isEqualTo(1);
        assertThat(startsLogged(slow.name, slowDone.getInt("number"))).isEqualTo(1);
        assertThat(deploy2.isAlive()).isTrue();
        assertNothingLeftBehind();
    }

    /**
     * Failover: deploy-service's first instance killed with SIGKILL while the second runs; images pushed right after, one
     * to each partition of {@code cascade.images}, are each acted on by the survivor within 10 s of the kill, the dead
     * instance's partitions included (it never left the group: the broker drops it after the session timeout).
     */
    @Test
    @Order(9)
    void theSurvivorOfAKilledInstanceProcessesItsPartitionsWithinTenSeconds() throws Exception {
        ServiceProcess deploy = system.deploy();
        ServiceProcess survivor = system.services().stream().filter(s -> s.name.equals("deploy-service-2")).findFirst()
                .orElseThrow(() -> new IllegalStateException("the test of two instances starts deploy-service-2"));
        String topic = "cascade.images";
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, system.infra().kafkaBootstrapServers()))) {
            int partitions = admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions().size();
            await().atMost(Duration.ofMinutes(1)).until(() -> group(admin, "deploy-service").members().size() == 2);
            // one repository for each partition, by the key image events carry (registry/repository) and Kafka's partitioner
            Map<String, Integer> partitionOf = new LinkedHashMap<>();
            for (int i = 0; partitionOf.size() < partitions; i++) {
                String repository = "rel/failover-" + i;
                int partition = Utils.toPositive(Utils.murmur2((reg + "/" + repository).getBytes(java.nio.charset.StandardCharsets.UTF_8))) % partitions;
                if (!partitionOf.containsValue(partition)) {
                    partitionOf.put(repository, partition);
                }
            }
            Map<TopicPartition, Long> ends = new LinkedHashMap<>();
            for (int p = 0; p < partitions; p++) {
                ends.put(new TopicPartition(topic, p), admin.listOffsets(Map.of(new TopicPartition(topic, p), OffsetSpec.latest()))
                        .all().get().get(new TopicPartition(topic, p)).offset());
            }

            Instant killed = Instant.now();
            deploy.kill();
            Map<String, String> digests = new LinkedHashMap<>();
            for (String repository : partitionOf.keySet()) {
                digests.put(repository, system.registry().push(repository, "1"));
            }
            Map<String, Long> processedAfter = new LinkedHashMap<>();
            long reassignedAfter = -1;
            Instant deadline = killed.plusSeconds(60);
            while ((processedAfter.size() < digests.size() || reassignedAfter < 0) && Instant.now().isBefore(deadline)) {
                if (reassignedAfter < 0) {
                    ConsumerGroupDescription g = group(admin, "deploy-service");
                    if (g.members().size() == 1 && g.members().iterator().next().assignment().topicPartitions().size() == partitions) {
                        reassignedAfter = Duration.between(killed, Instant.now()).toMillis();
                    }
                }
                for (Map.Entry<String, String> pushed : digests.entrySet()) {
                    if (!processedAfter.containsKey(pushed.getKey()) && at(survivor).queryParam("image", reg + "/" + pushed.getKey() + ":1")
                            .get("/api/image-pushes").then().extract().jsonPath().getList("digest", String.class).contains(pushed.getValue())) {
                        processedAfter.put(pushed.getKey(), Duration.between(killed, Instant.now()).toMillis());
                    }
                }
                Thread.sleep(100);
            }
            System.out.printf("reliability: failover: the survivor held all %d partitions %d ms after the kill; pushes acted on after %s ms%n",
                    partitions, reassignedAfter, processedAfter);

            // the pushes did land on every partition
            assertThat(partitionsOfKeys(topic, ends, partitionOf.keySet())).containsExactlyInAnyOrderElementsOf(partitionOf.values());
            assertThat(processedAfter).as("pushes acted on by the survivor").hasSameSizeAs(digests);
            assertThat(processedAfter.values()).as("ms from the kill to each push acted on").allMatch(ms -> ms < 10_000);
            assertThat(reassignedAfter).as("ms from the kill to the survivor holding every partition").isBetween(0L, 10_000L);
        } finally {
            if (!deploy.isAlive()) {
                deploy.restart();
                deploy.awaitReady(Duration.ofMinutes(3));
            }
        }
        assertNothingLeftBehind();
    }

    @Test
    @Order(10)
    void aBuildCancelledThroughTheInstanceThatDoesNotRunItStopsWhereItRuns() throws Exception {
        List<ServiceProcess> builds = system.services().stream().filter(s -> s.module.equals("build-service") && s.isAlive()).toList();
        assertThat(builds).as("the test of two instances starts a second build-service").hasSize(2);
        buildah.pushBusybox(reg + "/rel/busybox:1");
        GitConfig slow = GitConfig.create("cancel-slow", "FROM " + reg + "/rel/busybox:1\nRUN sleep 600\nCOPY app.txt /app.txt\n");
        Map<String, Integer> ranOn = new LinkedHashMap<>();
        // until each instance has run one: each build is cancelled through the other instance
        for (int i = 0; i < 6 && ranOn.size() < 2; i++) {
            JsonPath queued = at(builds.get(i % 2)).contentType("application/json").body("{}").post("/api/build-configs/" + slow.name + "/builds")
                    .then().statusCode(202).extract().jsonPath();
            String id = queued.getString("id");
            int number = queued.getInt("number");
            ServiceProcess runner = await().atMost(Duration.ofMinutes(2)).until(() -> builds.stream()
                    .filter(s -> startsLoggedBy(s, slow.name, number) > 0).findFirst().orElse(null), Objects::nonNull);
            ServiceProcess other = builds.stream().filter(s -> s != runner).findFirst().orElseThrow();
            // the build is at its long step
            await().atMost(Duration.ofSeconds(60)).until(() -> at(runner).get("/api/builds/" + id + "/log").asString().contains("sleep 600"));

            Instant asked = Instant.now();
            at(other).post("/api/builds/" + id + "/cancel").then().statusCode(202);
            JsonPath ended = await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(
                    () -> at(other).get("/api/builds/" + id).then().extract().jsonPath(), j -> !"started".equals(j.getString("status")));
            long ms = Duration.between(asked, Instant.now()).toMillis();
            System.out.printf("reliability: build running on %s, cancelled through %s, ended %d ms later%n", runner.name, other.name, ms);
            assertThat(ended.getString("status")).isEqualTo("cancelled");
            assertThat(ended.getString("reason")).isEqualTo("cancelled by request");
            assertThat(ended.getInt("attempt")).as("stopped, not queued again").isEqualTo(queued.getInt("attempt") + 1);
            ranOn.merge(runner.name, 1, Integer::sum);
        }
        assertThat(ranOn).as("builds cancelled through the other instance, by the instance that ran them").hasSize(2);
        assertNothingLeftBehind();
    }

    static ConsumerGroupDescription group(Admin admin, String id) throws Exception {
        return admin.describeConsumerGroups(List.of(id)).all().get().get(id);
    }

    /** The partitions the records keyed {@code registry/repository} of {@code repositories} were written to after {@code from}. */
    static List<Integer> partitionsOfKeys(String topic, Map<TopicPartition, Long> from, java.util.Set<String> repositories) {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, system.infra().kafkaBootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<Integer> found = new ArrayList<>();
        java.util.Set<String> keys = new java.util.HashSet<>();
        repositories.forEach(r -> keys.add(reg + "/" + r));
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            Map<TopicPartition, Long> end = consumer.endOffsets(from.keySet());
            Instant deadline = Instant.now().plusSeconds(20);
            while (from.keySet().stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> {
                    if (keys.contains(r.key()) && !found.contains(r.partition())) {
                        found.add(r.partition());
                    }
                });
            }
        }
        return found;
    }

    // ---- what every scenario ends with ---------------------------------------------------------

    /**
     * Nothing is stuck or lost anywhere: no build queued or running, no rollout waiting or in progress, no
     * pipeline running, no base push waiting to be planned, every outbox row published, no dead letter.
     */
    static void assertNothingLeftBehind() {
        await().atMost(Duration.ofMinutes(1)).untilAsserted(() -> {
            for (String status : List.of("queued", "started")) {
                assertThat(at(system.build()).queryParam("status", status).get("/api/builds").then().extract().jsonPath().getList("config"))
                        .as("builds " + status).isEmpty();
            }
            for (String status : List.of("pending", "hook-running", "progressing")) {
                assertThat(at(system.deploy()).queryParam("status", status).get("/api/rollouts").then().extract().jsonPath().getList("name"))
                        .as("rollouts " + status).isEmpty();
            }
            assertThat(at(system.trigger()).queryParam("status", "running").get("/api/pipelines").then().extract().jsonPath().getList("id"))
                    .as("pipelines running").isEmpty();
            for (String db : List.of("trigger", "build", "deploy")) {
                assertThat(count(db, "SELECT count(*) FROM outbox_event WHERE sent_at IS NULL")).as(db + ": unpublished events").isZero();
            }
            assertThat(count("build", "SELECT count(*) FROM pending_cascade")).as("base pushes waiting to be planned").isZero();
        });
        assertThat(deadLetters()).as("events on dead-letter topics").isEmpty();
    }

    static long count(String database, String sql, Object... args) throws Exception {
        return DatabaseRows.count(system.infra(), database, sql, args);
    }

    /** Every record on a {@code *.dlq} topic, as {@code topic: value}. */
    static List<String> deadLetters() {
        Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, system.infra().kafkaBootstrapServers());
        p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> found = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
            List<TopicPartition> partitions = new ArrayList<>();
            for (Map.Entry<String, List<PartitionInfo>> t : consumer.listTopics(Duration.ofSeconds(10)).entrySet()) {
                if (t.getKey().endsWith(".dlq")) {
                    t.getValue().forEach(pi -> partitions.add(new TopicPartition(pi.topic(), pi.partition())));
                }
            }
            if (partitions.isEmpty()) {
                return found;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            Instant deadline = Instant.now().plusSeconds(20);
            while (partitions.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp)) && Instant.now().isBefore(deadline)) {
                consumer.poll(Duration.ofMillis(500)).forEach(r -> found.add(r.topic() + ": " + r.value()));
            }
        }
        return found;
    }

    /** How often build-service instances logged the start of build {@code config #number}. */
    static long startsLogged(String config, int number) throws IOException {
        Pattern started = Pattern.compile("build " + Pattern.quote(config) + " #" + number + " started \\(attempt ");
        long n = 0;
        for (ServiceProcess s : system.services()) {
            if (s.module.equals("build-service")) {
                n += Files.readAllLines(s.log).stream().filter(l -> started.matcher(l).find()).count();
            }
        }
        return n;
    }

    /** How often one build-service instance logged the start of build {@code config #number}. */
    static long startsLoggedBy(ServiceProcess s, String config, int number) {
        Pattern started = Pattern.compile("build " + Pattern.quote(config) + " #" + number + " started \\(attempt ");
        try {
            return Files.readAllLines(s.log).stream().filter(l -> started.matcher(l).find()).count();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** How often deploy-service instances patched a workload's container to an image. */
    static long patchesLogged(String workload, String image) throws IOException {
        String line = NS + "/Deployment/" + workload + " web: patched to " + image;
        long n = 0;
        for (ServiceProcess s : system.services()) {
            if (s.module.equals("deploy-service")) {
                n += Files.readAllLines(s.log).stream().filter(l -> l.contains(line)).count();
            }
        }
        return n;
    }

    static RequestSpecification at(ServiceProcess service) {
        return given().baseUri(service.url());
    }

    /**
     * The JSON of a 200 answer to a GET, or null for any other answer: a poll goes on through a service that is starting
     * again or cannot reach its database for a moment, and fails only when its time is up.
     */
    static JsonPath ok(RequestSpecification request, String path) {
        Response response = request.get(path);
        return response.statusCode() == 200 ? response.jsonPath() : null;
    }

    static void sleepUntil(Instant when) throws InterruptedException {
        long ms = Duration.between(Instant.now(), when).toMillis();
        if (ms > 0) {
            Thread.sleep(ms);
        }
    }

    static String image(String name) {
        return reg + "/rel/" + name + ":1";
    }

    // ---- the diamond --------------------------------------------------------------------------

    /** One diamond of configs on a base pushed from outside, and a Deployment running its app. */
    record Diamond(String name) {

        String base() {
            return image(name + "-base");
        }

        String workload() {
            return name + "-web";
        }

        /** Pushes the first base, makes the three configs, builds each once by hand, and deploys app. */
        static Diamond create(String name) throws Exception {
            Diamond d = new Diamond(name);
            d.pushBase("v1");
            String mid1 = name + "-mid1";
            String mid2 = name + "-mid2";
            String app = name + "-app";
            config(mid1, "FROM " + d.base() + "\nCOPY " + mid1 + ".txt /mid1.txt\n", mid1 + ".txt");
            config(mid2, "FROM " + d.base() + "\nCOPY " + mid2 + ".txt /mid2.txt\n", mid2 + ".txt");
            config(app, "FROM " + image(mid2) + " AS tools\nFROM " + image(mid1)
                    + "\nCOPY --from=tools /mid2.txt /mid2.txt\nCOPY " + app + ".txt /app.txt\n", app + ".txt");
            awaitBuilt(List.of(buildByHand(mid1), buildByHand(mid2)));
            awaitBuilt(List.of(buildByHand(app)));
            String appDigest = system.registry().digest("rel/" + app, "1");
            await().atMost(Duration.ofMinutes(1)).until(() -> at(system.deploy()).queryParam("image", image(app)).get("/api/image-pushes")
                    .then().extract().jsonPath().getList("digest", String.class).contains(appDigest));
            system.kubernetes().apps().deployments().inNamespace(NS)
                    .resource(FollowingDeployment.of(NS, d.workload(), image(app), 2, 600)).create();
            return d;
        }

        static void config(String name, String dockerfile, String file) throws Exception {
            String repo = git.create(name);
            git.commit(name, Map.of("Dockerfile", dockerfile, file, name), name);
            at(system.build()).contentType("application/json")
                    .body("{\"name\":\"%s\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s\"}".formatted(name, repo, image(name)))
                    .post("/api/build-configs").then().statusCode(201);
        }

        static String buildByHand(String config) {
            return at(system.build()).contentType("application/json").body("{}").post("/api/build-configs/" + config + "/builds")
                    .then().statusCode(202).extract().path("id");
        }

        static void awaitBuilt(List<String> ids) {
            for (String id : ids) {
                String status = await().atMost(Duration.ofMinutes(3)).until(
                        () -> at(system.build()).get("/api/builds/" + id).then().extract().path("status"),
                        s -> List.of("succeeded", "failed", "cancelled").contains(s));
                assertThat(status).as(() -> at(system.build()).get("/api/builds/" + id + "/log").asString()).isEqualTo("succeeded");
            }
        }

        /** Pushes a new base image from outside Cascade; the registry notifies trigger-service. Returns its digest. */
        String pushBase(String content) throws Exception {
            Path ctx = Files.createDirectories(system.work().resolve(name + "-base-" + content));
            Files.writeString(ctx.resolve("base.txt"), content);
            Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY base.txt /base.txt\n");
            return buildah.buildAndPush(ctx, base());
        }

        /** The registry's notification of a push of {@code digest} of the base was answered with a 2xx. */
        boolean registryReported(int from, String digest) {
            return reports(from).anyMatch(e -> e.path("target").path("digest").asText().equals(digest));
        }

        /** The registry's notification of some new push of the base was answered with a 2xx. */
        boolean registryReportedBase(int from) {
            return reports(from).findAny().isPresent();
        }

        private java.util.stream.Stream<JsonNode> reports(int from) {
            List<WebhookRecorder.Delivery> all = system.recorder().deliveries;
            return all.subList(Math.min(from, all.size()), all.size()).stream()
                    .filter(x -> x.status() >= 200 && x.status() < 300)
                    .flatMap(x -> {
                        try {
                            List<JsonNode> events = new ArrayList<>();
                            JSON.readTree(x.body()).path("events").forEach(events::add);
                            return events.stream();
                        } catch (IOException e) {
                            return java.util.stream.Stream.empty();
                        }
                    })
                    .filter(e -> e.path("action").asText().equals("push") && e.path("target").path("repository").asText().equals("rel/" + name + "-base")
                            && e.path("target").path("tag").asText().equals("1"));
        }

        /**
         * The pipeline the cascade of {@code baseDigest} runs in, once build-service has planned it: the pipeline of
         * mid1's build queued for that digest (pushes of the base close together are planned as one cascade, in the
         * first push's pipeline).
         */
        UUID awaitPipeline(String baseDigest) {
            String cause = "changed to " + baseDigest.substring(0, 19);
            return await().atMost(Duration.ofMinutes(3)).until(() -> {
                JsonPath builds = ok(at(system.build()).queryParam("config", name + "-mid1"), "/api/builds");
                String pipeline = builds == null ? null : builds.getString("find { it.reason != null && it.reason.contains('" + cause + "') }.pipelineId");
                return pipeline == null ? null : UUID.fromString(pipeline);
            }, Objects::nonNull);
        }

        /** The cascade ends as it would have without any failure, and each build and the rollout happened once. */
        void assertCascadedOnce(UUID pipeline, String newBase) throws Exception {
            assertCascadedOnce(pipeline, newBase, 1);
        }

        /**
         * The same, for the {@code cascades}-th cascade of this diamond: each config built once by hand and once in each
         * cascade, the workload rolled out once in each.
         */
        void assertCascadedOnce(UUID pipeline, String newBase, int cascades) throws Exception {
            String mid1 = name + "-mid1";
            String mid2 = name + "-mid2";
            String app = name + "-app";
            JsonPath builds = await().atMost(Duration.ofMinutes(5)).until(
                    () -> ok(at(system.build()).queryParam("pipeline", pipeline), "/api/builds"),
                    j -> j != null && j.getList("$").size() == 3 && j.getList("status", String.class).stream().allMatch("succeeded"::equals));
            String appDigest = system.registry().digest("rel/" + app, "1");
            String appImage = reg + "/rel/" + app + "@" + appDigest;
            JsonPath rollouts = await().atMost(Duration.ofMinutes(3)).until(
                    () -> ok(at(system.deploy()).queryParam("pipeline", pipeline), "/api/rollouts"),
                    j -> j != null && j.getList("status", String.class).contains("succeeded"));

            assertThat(builds.getList("config", String.class)).containsExactlyInAnyOrder(mid1, mid2, app);
            Map<String, Object> appBuild = builds.getMap("find { it.config == '" + app + "' }");
            for (String mid : List.of(mid1, mid2)) {
                Map<String, Object> m = builds.getMap("find { it.config == '" + mid + "' }");
                assertThat(OffsetDateTime.parse((String) appBuild.get("startedAt"))).isAfterOrEqualTo(OffsetDateTime.parse((String) m.get("finishedAt")));
                assertThat(builds.getString("find { it.config == '" + mid + "' }.baseDigests['" + base() + "']")).isEqualTo(newBase);
                assertThat(builds.getString("find { it.config == '" + app + "' }.baseDigests['" + image(mid) + "']"))
                        .as("app built on %s's image of this cascade", mid)
                        .isEqualTo(system.registry().digest("rel/" + mid, "1"));
            }
            assertThat(appBuild.get("digest")).isEqualTo(appDigest);
            System.out.printf("reliability: %s: attempts %s%n", name, builds.getList("attempt"));

            // once each: no other pipeline built any of them (a config's builds are numbered one after another: #1 by
            // hand, then one per cascade; old ones are pruned), and the workload was rolled out once, to app's digest
            for (String config : List.of(mid1, mid2, app)) {
                assertThat(at(system.build()).queryParam("config", config).get("/api/builds").then().extract().jsonPath()
                        .getList("number", Integer.class)).as("numbers of the builds of " + config).contains(cascades + 1)
                        .allMatch(n -> n <= cascades + 1);
            }
            assertThat(rollouts.getList("name", String.class)).containsExactly(workload());
            assertThat(rollouts.getString("[0].image")).isEqualTo(appImage);
            assertThat(at(system.deploy()).queryParam("namespace", NS).queryParam("workload", workload()).get("/api/rollouts")
                    .then().extract().jsonPath().getList("$")).hasSize(cascades);
            assertThat(system.kubernetes().apps().deployments().inNamespace(NS).withName(workload()).get()
                    .getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo(appImage);
            assertThat(patchesLogged(workload(), appImage)).as("patches of " + workload()).isEqualTo(1);

            // the pipeline view: one succeeded tree with the three builds and the one rollout
            JsonPath tree = await().atMost(Duration.ofMinutes(2)).until(
                    () -> ok(at(system.trigger()), "/api/pipelines/" + pipeline),
                    j -> j != null && "succeeded".equals(j.getString("status")) && CascadeEndToEndTests.flatten(j.getMap("root")).stream()
                            .anyMatch(n -> n.kind().equals("rollout") && "succeeded".equals(n.status())));
            List<CascadeEndToEndTests.TreeNode> nodes = CascadeEndToEndTests.flatten(tree.getMap("root"));
            assertThat(nodes.stream().filter(n -> n.kind().equals("build")).map(CascadeEndToEndTests.TreeNode::name))
                    .containsExactlyInAnyOrder(mid1 + " #" + (cascades + 1), mid2 + " #" + (cascades + 1), app + " #" + (cascades + 1));
            assertThat(nodes.stream().filter(n -> n.kind().equals("build"))).allMatch(n -> n.status().equals("succeeded"));
            assertThat(nodes.stream().filter(n -> n.kind().equals("rollout"))).hasSize(1);
            assertThat(nodes.stream().filter(n -> n.kind().equals("image") && image(app).equals(n.fields().get("image"))))
                    .as("pushes of app in the pipeline").hasSize(1);
        }
    }

    // ---- a config built from git pushes -------------------------------------------------------

    /** A config whose builds come from git pushes, announced by a generic (OpenShift-style) webhook. */
    record GitConfig(String name, String repository) {

        static GitConfig create(String name) throws Exception {
            return create(name, "FROM scratch\nCOPY app.txt /app.txt\n");
        }

        static GitConfig create(String name, String dockerfile) throws Exception {
            String repo = git.create(name);
            git.commit(name, Map.of("Dockerfile", dockerfile, "app.txt", "first"), "first");
            at(system.build()).contentType("application/json")
                    .body("{\"name\":\"%s\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s\"}".formatted(name, repo, image(name)))
                    .post("/api/build-configs").then().statusCode(201);
            return new GitConfig(name, repo);
        }

        String commit(String content) throws IOException {
            return git.commit(name, Map.of("app.txt", content), "app " + content);
        }

        /** Delivers the push of {@code commit} to main to one trigger-service instance. */
        HttpResponse<String> hook(ServiceProcess trigger, String commit) throws IOException, InterruptedException {
            String body = """
                    {"type":"Git","git":{"uri":"%s","ref":"refs/heads/main","commit":"%s","message":"app","author":{"name":"Reliability"}}}"""
                    .formatted(repository, commit);
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(trigger.url() + "/webhooks/git/generic/" + GENERIC_SECRET))
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                    HttpResponse.BodyHandlers.ofString());
        }

        HttpResponse<String> hookUnchecked(ServiceProcess trigger, String commit) {
            try {
                return hook(trigger, commit);
            } catch (IOException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        }

        /** The push's pipeline has exactly one build of this config, of that commit, and it succeeded. */
        void assertBuiltOnce(String commit, UUID pipeline) {
            JsonPath builds = await().atMost(Duration.ofMinutes(4)).until(
                    () -> at(system.build()).queryParam("pipeline", pipeline).get("/api/builds").then().extract().jsonPath(),
                    j -> !j.getList("$").isEmpty() && j.getList("status", String.class).stream().allMatch("succeeded"::equals));
            assertThat(builds.getList("config", String.class)).containsExactly(name);
            assertThat(builds.getString("[0].commit")).isEqualTo(commit);
        }
    }
}
