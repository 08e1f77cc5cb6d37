package dev.cascade.trigger.pipeline;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.BuildEvent;
import dev.cascade.common.events.EventTypes;
import dev.cascade.common.events.ImagePushed;
import dev.cascade.common.events.RolloutEvent;
import dev.cascade.common.events.SourcePushed;
import dev.cascade.common.events.Topics;
import dev.cascade.common.image.ImageRef;
import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.CloudEventRecords;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Publishes events of the contract onto the real topics as the other services do (binary CloudEvents with
 * pipelineid and causationid), and remembers every record so a test can deliver them all again.
 */
final class ContractEvents implements AutoCloseable {

    private static final List<String> TOPICS = List.of(Topics.SOURCE, Topics.IMAGES, Topics.BUILDS, Topics.ROLLOUTS);

    private final ObjectMapper json;
    private final KafkaProducer<String, String> producer;
    private final List<ProducerRecord<String, String>> sent = new ArrayList<>();

    ContractEvents(ObjectMapper json) {
        this.json = json;
        this.producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, CascadeInfraResource.infra().kafkaBootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all"), new StringSerializer(), new StringSerializer());
    }

    /** A root trigger: its id is its pipeline id and its causation id. */
    UUID rootSource(SourcePushed push, Instant at) {
        UUID id = UUID.randomUUID();
        return send(Topics.SOURCE, push.key(), id, EventTypes.SOURCE_PUSHED, id, id, at, push);
    }

    UUID source(UUID id, SourcePushed push, Instant at) {
        return send(Topics.SOURCE, push.key(), id, EventTypes.SOURCE_PUSHED, id, id, at, push);
    }

    UUID rootImage(ImagePushed image, Instant at) {
        UUID id = UUID.randomUUID();
        return send(Topics.IMAGES, image.key(), id, EventTypes.IMAGE_PUSHED, id, id, at, image);
    }

    /** What build-service publishes with a build's success: the image it pushed, in its pipeline, caused by the success. */
    UUID builtImage(UUID pipelineId, UUID succeededEventId, BuildEvent succeeded) {
        ImageRef ref = ImageRef.parse(succeeded.image());
        ImagePushed pushed = new ImagePushed(ref.taggedName(), ref.registry(), ref.repository(), ref.tag(), succeeded.digest(), null,
                "build", succeeded.buildId());
        return send(Topics.IMAGES, pushed.key(), UUID.randomUUID(), EventTypes.IMAGE_PUSHED, pipelineId, succeededEventId,
                succeeded.at(), pushed);
    }

    UUID build(UUID pipelineId, UUID causationId, BuildEvent build) {
        return send(Topics.BUILDS, build.key(), UUID.randomUUID(), build.eventType(), pipelineId, causationId, build.at(), build);
    }

    UUID rollout(UUID pipelineId, UUID causationId, RolloutEvent rollout) {
        return send(Topics.ROLLOUTS, rollout.key(), UUID.randomUUID(), rollout.eventType(), pipelineId, causationId, rollout.at(), rollout);
    }

    /** Sends every record sent so far once more, with the same CloudEvents ids: what an at-least-once redelivery does. */
    void redeliverAll() {
        List.copyOf(sent).forEach(this::produce);
    }

    /** Waits until trigger-service's consumer groups (one per topic) have committed everything now on the four topics. */
    void awaitConsumedByTriggerService() throws ExecutionException, InterruptedException {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                CascadeInfraResource.infra().kafkaBootstrapServers()))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            admin.describeTopics(TOPICS).allTopicNames().get().forEach((topic, description) -> description.partitions()
                    .forEach(p -> latest.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest())));
            Map<TopicPartition, Long> ends = new HashMap<>();
            admin.listOffsets(latest).all().get().forEach((tp, info) -> ends.put(tp, info.offset()));
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
                for (String group : List.of("trigger-service.source", "trigger-service.images", "trigger-service.builds",
                        "trigger-service.rollouts")) {
                    committed.putAll(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get());
                }
                return ends.entrySet().stream().allMatch(e -> e.getValue() == 0
                        || (committed.get(e.getKey()) != null && committed.get(e.getKey()).offset() >= e.getValue()));
            });
        }
    }

    private UUID send(String topic, String key, UUID id, String type, UUID pipelineId, UUID causationId, Instant at, Object data) {
        ProducerRecord<String, String> record = CloudEventRecords.event(topic, key, id, type, pipelineId, causationId,
                OffsetDateTime.ofInstant(at, ZoneOffset.UTC), write(data));
        sent.add(record);
        produce(record);
        return id;
    }

    private void produce(ProducerRecord<String, String> record) {
        try {
            producer.send(record).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("could not publish to " + record.topic(), e.getCause());
        }
    }

    private String write(Object data) {
        try {
            return json.writeValueAsString(data);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
