package dev.cascade.build.cascade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.build.config.BuildConfigSpec;
import dev.cascade.build.config.BuildConfigs;
import dev.cascade.common.events.BuildStatus;
import dev.cascade.common.events.EventTypes;
import dev.cascade.common.events.Topics;
import dev.cascade.common.git.GitRepository;
import dev.cascade.common.image.ImageRef;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.CloudEventRecords;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.reactive.messaging.kafka.companion.KafkaCompanion;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import org.apache.kafka.common.serialization.Serdes;
import org.junit.jupiter.api.Test;

/**
 * A cascade of a few hundred configs, queued as one plan: each config is queued exactly once in the pipeline, waits
 * for the builds of exactly its affected parents, and a redelivered or repeated push of the base queues nothing more;
 * a config that joined the graph since is queued and at once skipped, its parents having failed in this pipeline.
 *
 * <p>The configs are stored with SQL, as {@code build_config} and {@code config_input} rows a real config would have
 * after a first build (their repository does not exist, so the root's build fails at checkout and skips the rest):
 * creating hundreds over REST would read hundreds of Dockerfiles from git and test that instead.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "build"))
class LargeCascadeTests {

    static final int CONFIGS = 300;
    static final String REG = "registry.test:5000";
    static final String OLD = "sha256:" + "0".repeat(64);
    static final String NEW = "sha256:" + "1".repeat(64);

    @Inject
    Pool db;

    @Inject
    BuildConfigs buildConfigs;

    @Inject
    ObjectMapper json;

    static String name(int i) {
        return "wide-" + i;
    }

    static String image(String repository) {
        return ImageRef.parse(REG + "/" + repository + ":1").withoutDigest().toString();
    }

    /** Config i builds on config (i-1)/3, and every fifth also on config i/2-1: a tree of fan-out 3 with shortcuts. */
    static Set<String> parents(int i) {
        Set<String> ps = new TreeSet<>();
        if (i > 0) {
            ps.add(name((i - 1) / 3));
        }
        if (i >= 5 && i % 5 == 0) {
            ps.add(name(i / 2 - 1));
        }
        return ps;
    }

    /** Stores configs {@code from} to {@code to - 1}, as if each had built once on its inputs. */
    void storeConfigs(int from, int to) throws Exception {
        String repository = "file:///nonexistent/wide-cascade.git";
        OffsetDateTime now = OffsetDateTime.now();
        List<Tuple> configs = new ArrayList<>();
        List<Tuple> inputs = new ArrayList<>();
        for (int i = from; i < to; i++) {
            BuildConfigSpec spec = buildConfigs.normalise(new BuildConfigSpec(name(i), new BuildConfigSpec.Source(repository, null, null, null),
                    null, REG + "/wide/" + name(i) + ":1", null, null, null, null, null, null));
            configs.add(Tuple.from(List.of(name(i), GitRepository.parse(repository).canonicalUrl(), spec.source().branch(),
                    image("wide/" + name(i)), spec.strategy().type(), false, true, json.writeValueAsString(spec), now, now)));
            if (i == 0) {
                inputs.add(Tuple.of(name(i), image("wide/base"), OLD));
            }
            for (String p : parents(i)) {
                inputs.add(Tuple.of(name(i), image("wide/" + p), OLD));
            }
        }
        db.preparedQuery("""
                        INSERT INTO build_config (name, repository, branch, output_image, strategy, on_git_push, on_base_change, spec,
                            created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""")
                .executeBatch(configs).await().indefinitely();
        db.preparedQuery("INSERT INTO config_input (config, image, digest) VALUES ($1, $2, $3)").executeBatch(inputs).await().indefinitely();
    }

    void basePushed(UUID eventId, UUID pipeline) {
        String data = """
                {"image":"%s","registry":"%s","repository":"wide/base","tag":"1","digest":"%s","sender":"distribution"}"""
                .formatted(REG + "/wide/base:1", REG, NEW);
        try (KafkaCompanion kafka = new KafkaCompanion(CascadeInfraResource.infra().kafkaBootstrapServers())) {
            kafka.produce(Serdes.String(), Serdes.String())
                    .fromRecords(CloudEventRecords.event(Topics.IMAGES, REG + "/wide/base", eventId, EventTypes.IMAGE_PUSHED, pipeline, eventId, data))
                    .awaitCompletion();
        }
    }

    List<Row> rows(String sql, Object... params) {
        List<Row> out = new ArrayList<>();
        db.preparedQuery(sql).execute(Tuple.from(params)).await().indefinitely().forEach(out::add);
        return out;
    }

    @Test
    void aCascadeOfHundredsOfConfigsQueuesEachOnceAfterExactlyItsParents() throws Exception {
        storeConfigs(0, CONFIGS);
        UUID pipeline = UUID.randomUUID();
        UUID first = UUID.randomUUID();
        basePushed(first, pipeline);
        basePushed(first, pipeline); // redelivered

        await().atMost(Duration.ofSeconds(120)).until(() -> rows("""
                        SELECT count(*) AS n FROM build WHERE pipeline_id = $1 AND status IN ('FAILED', 'SKIPPED')""", pipeline)
                .get(0).getLong("n") == CONFIGS);
        // one more config joins the graph, then the base is pushed again in the same pipeline: planned anew, the
        // cascade finds every other config queued already, and only the newcomer is queued
        storeConfigs(CONFIGS, CONFIGS + 1);
        UUID again = UUID.randomUUID();
        basePushed(again, pipeline);
        await().atMost(Duration.ofSeconds(30)).until(() -> rows("""
                        SELECT (SELECT count(*) FROM processed_event WHERE event_id = $1)
                             + (SELECT count(*) FROM pending_cascade WHERE pipeline_id = $2) = 1 AS planned""", again.toString(), pipeline)
                .get(0).getBoolean("planned"));

        int all = CONFIGS + 1;
        List<Row> builds = rows("SELECT id, config, number, status, reason, after_configs FROM build WHERE pipeline_id = $1", pipeline);
        assertThat(builds).hasSize(all);
        Map<String, Row> byConfig = new HashMap<>();
        builds.forEach(b -> byConfig.put(b.getString("config"), b));
        assertThat(byConfig).hasSize(all);
        Map<UUID, String> configOf = new HashMap<>();
        builds.forEach(b -> configOf.put(b.getUUID("id"), b.getString("config")));

        Map<String, Set<String>> waitsFor = new HashMap<>();
        rows("""
                SELECT p.build_id, p.prerequisite_id FROM build_prerequisite p JOIN build b ON b.id = p.build_id
                WHERE b.pipeline_id = $1""", pipeline)
                .forEach(r -> waitsFor.computeIfAbsent(configOf.get(r.getUUID("build_id")), k -> new TreeSet<>())
                        .add(configOf.getOrDefault(r.getUUID("prerequisite_id"), "a build of another pipeline")));
        for (int i = 0; i < all; i++) {
            Row b = byConfig.get(name(i));
            Set<String> parents = parents(i);
            assertThat(waitsFor.getOrDefault(name(i), Set.of())).as("prerequisites of %s", name(i)).isEqualTo(parents);
            assertThat(b.getString("after_configs")).as("after of %s", name(i)).isEqualTo(parents.isEmpty() ? null : String.join(",", parents));
            assertThat(b.getInteger("number")).isEqualTo(1);
        }
        assertThat(byConfig.get(name(0)).getString("status")).isEqualTo("FAILED");
        for (int i = 1; i < all; i++) {
            assertThat(byConfig.get(name(i)).getString("status")).as("status of %s", name(i)).isEqualTo("SKIPPED");
            assertThat(byConfig.get(name(i)).getString("reason")).startsWith("skipped: parent " + name(0) + " #1 failed");
        }

        // each push's plan is announced once (the redelivery announces nothing), with the builds that push queued itself:
        // every config for the first, only the newcomer for the second (the rest were queued in the pipeline already)
        List<Row> plans = rows("""
                SELECT payload, causation_id FROM outbox_event WHERE pipeline_id = $1 AND topic = $2 AND event_type = $3 ORDER BY id""",
                pipeline, Topics.BUILDS, EventTypes.CASCADE_PLANNED);
        assertThat(plans).hasSize(2);
        assertThat(plans.get(0).getUUID("causation_id")).isEqualTo(first);
        assertThat(plans.get(0).getString("payload")).contains("\"builds\":" + CONFIGS + ",");
        assertThat(plans.get(1).getUUID("causation_id")).isEqualTo(again);
        assertThat(plans.get(1).getString("payload")).contains("\"builds\":1,");

        // one queued event per config, each before that config's later events; the newcomer's skip follows its queueing
        List<Row> events = rows("""
                SELECT id, event_key, event_type FROM outbox_event WHERE pipeline_id = $1 AND topic = $2 AND event_type LIKE 'cascade.build.%'
                ORDER BY id""", pipeline, Topics.BUILDS);
        assertThat(events.stream().filter(e -> e.getString("event_type").equals(BuildStatus.QUEUED.eventType())).map(e -> e.getString("event_key")))
                .hasSize(all).doesNotHaveDuplicates();
        Map<String, String> firstEvent = new HashMap<>();
        events.forEach(e -> firstEvent.putIfAbsent(e.getString("event_key"), e.getString("event_type")));
        assertThat(firstEvent.values()).containsOnly(BuildStatus.QUEUED.eventType());
        assertThat(events.stream().filter(e -> e.getString("event_key").equals(name(CONFIGS))).map(e -> e.getString("event_type")))
                .containsExactly(BuildStatus.QUEUED.eventType(), BuildStatus.SKIPPED.eventType());
    }
}
