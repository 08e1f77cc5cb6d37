package dev.cascade.common.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventContractTests {

    private final ObjectMapper json = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    @Test
    void keysFollowTheDesign() {
        var source = new SourcePushed("https://github.com/o/r", SourcePushed.RefType.BRANCH, "main", "0".repeat(40), "a".repeat(40),
                List.of("Dockerfile"), "alice", "github", "d-1");
        var image = new ImagePushed(null, "localhost:5000", "team/app", "1", "sha256:" + "b".repeat(64), null, "distribution", "d-2");
        var build = new BuildEvent("b-1", "app", BuildStatus.QUEUED, null, null, null, null, "base changed", Instant.EPOCH, 1, null);
        var rollout = new RolloutEvent("r-1", "prod", "Deployment", "web", "web", null, null, RolloutStatus.STARTED, null, Instant.EPOCH);

        assertThat(source.key()).isEqualTo("https://github.com/o/r");
        assertThat(image.key()).isEqualTo("localhost:5000/team/app");
        assertThat(image.image()).isEqualTo("localhost:5000/team/app:1");
        assertThat(build.key()).isEqualTo("app");
        assertThat(rollout.key()).isEqualTo("prod/Deployment/web");
    }

    @Test
    void lifecycleStatusesMapToEventTypesAndBack() {
        for (BuildStatus s : BuildStatus.values()) {
            assertThat(BuildStatus.fromEventType(s.eventType())).isEqualTo(s);
        }
        for (RolloutStatus s : RolloutStatus.values()) {
            assertThat(RolloutStatus.fromEventType(s.eventType())).isEqualTo(s);
        }
        assertThat(BuildStatus.SKIPPED.eventType()).isEqualTo("cascade.build.skipped");
        assertThat(RolloutStatus.ROLLEDBACK.eventType()).isEqualTo("cascade.rollout.rolledback");
        assertThat(BuildStatus.SUCCEEDED.isFinal()).isTrue();
        assertThat(BuildStatus.STARTED.isFinal()).isFalse();
        assertThatThrownBy(() -> BuildStatus.fromEventType("cascade.rollout.started")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void eventsRoundTripThroughJson() throws Exception {
        var build = new BuildEvent("b-1", "app", BuildStatus.SUCCEEDED, "c".repeat(40), "localhost:5000/app:1",
                "sha256:" + "d".repeat(64), Map.of("docker.io/library/alpine:3.20", "sha256:" + "e".repeat(64)), null,
                Instant.parse("2026-01-02T03:04:05Z"), 3, List.of("base", "tools"));
        String text = json.writeValueAsString(build);
        assertThat(text).contains("\"status\":\"SUCCEEDED\"").contains("\"at\":\"2026-01-02T03:04:05Z\"");
        assertThat(json.readValue(text, BuildEvent.class)).isEqualTo(build);

        var planned = new CascadePlanned("localhost:5000/base:1", "sha256:" + "f".repeat(64), 12,
                java.util.UUID.fromString("7b0c1c1e-6a0a-4c55-9a55-3f1f2a2b3c4d"), Instant.parse("2026-01-02T03:04:05Z"));
        assertThat(planned.key()).isEqualTo("localhost:5000/base:1");
        assertThat(planned.topic()).isEqualTo(Topics.BUILDS);
        assertThat(planned.eventType()).isEqualTo("cascade.cascade.planned");
        assertThat(json.readValue(json.writeValueAsString(planned), CascadePlanned.class)).isEqualTo(planned);
        assertThatThrownBy(() -> new CascadePlanned("localhost:5000/base:1", null, -1, planned.cascadePipeline(), Instant.EPOCH))
                .isInstanceOf(IllegalArgumentException.class);

        var source = new SourcePushed("https://github.com/o/r", SourcePushed.RefType.TAG, "v1", null, "a".repeat(40), null, "a", "github", "d");
        assertThat(json.readValue(json.writeValueAsString(source), SourcePushed.class)).isEqualTo(source);
    }

    @Test
    void dlqTopicIsDerivedFromTheTopic() {
        assertThat(Topics.deadLetter(Topics.SOURCE)).isEqualTo("cascade.source.dlq");
        assertThat(CloudEventAttributes.kafkaHeader(CloudEventAttributes.PIPELINE_ID)).isEqualTo("ce_pipelineid");
    }
}
