package dev.cascade.install;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.common.events.Topics;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Every topic the services publish to or consume, and every dead-letter topic, is a KafkaTopic replicated three
 * times with min.insync.replicas 2; the broker creates no topic on first use.
 */
class KafkaTopicsTests {

    private final RenderedBase base = RenderedBase.get();

    private List<GenericKubernetesResource> topics() {
        return base.all("kafka.strimzi.io", "KafkaTopic");
    }

    private static String topicName(GenericKubernetesResource t) {
        Object explicit = SettingsTests.map(t.getAdditionalProperties().get("spec")).get("topicName");
        return explicit != null ? explicit.toString() : t.getMetadata().getName();
    }

    /**
     * The contract's topics (common's {@link Topics}) with the dead-letter topic of each, and every topic and
     * dead-letter topic a service's channels name. The outbox channel's own topic is left out: every outbox message
     * names its topic, and that default only catches a mistake, which must fail rather than create a topic.
     */
    static Set<String> topicsTheServicesUse() throws IllegalAccessException {
        Set<String> topics = new TreeSet<>();
        for (Field f : Topics.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == String.class) {
                String topic = (String) f.get(null);
                topics.add(topic);
                topics.add(Topics.deadLetter(topic));
            }
        }
        for (String service : RenderedBase.SERVICES) {
            ServiceProperties.of(service).properties.forEach((k, v) -> {
                if (k.startsWith("mp.messaging.") && (k.endsWith(".topic") && !k.equals("mp.messaging.outgoing.outbox.topic"))) {
                    topics.add(v);
                }
            });
        }
        return topics;
    }

    @Test
    void everyTopicTheServicesUseIsDeclaredAndNoOther() throws IllegalAccessException {
        Set<String> used = topicsTheServicesUse();
        assertThat(used).contains("cascade.images.dlq", "cascade.image-reports");
        assertThat(topics()).extracting(KafkaTopicsTests::topicName).containsExactlyInAnyOrderElementsOf(used);
    }

    @Test
    void everyTopicIsReplicatedThreeTimesAndAcknowledgedByTwo() {
        assertThat(topics()).isNotEmpty().allSatisfy(t -> {
            Map<String, Object> spec = SettingsTests.map(t.getAdditionalProperties().get("spec"));
            assertThat(spec.get("replicas")).as("%s replicas", topicName(t)).isEqualTo(3);
            assertThat((Integer) spec.get("partitions")).as("%s partitions", topicName(t)).isPositive();
            assertThat(SettingsTests.map(spec.get("config")).get("min.insync.replicas")).as("%s min.insync.replicas", topicName(t)).isEqualTo(2);
        });
    }

    @Test
    void everyTopicBelongsToTheKafkaOfTheBaseWhichHasBrokersForThreeReplicasAndCreatesNoTopicItself() {
        List<GenericKubernetesResource> kafkas = base.all("kafka.strimzi.io", "Kafka");
        assertThat(kafkas).hasSize(1);
        String cluster = kafkas.get(0).getMetadata().getName();
        assertThat(topics()).allSatisfy(t -> {
            assertThat(t.getMetadata().getLabels()).containsEntry("strimzi.io/cluster", cluster);
            assertThat(t.getMetadata().getNamespace()).isEqualTo(kafkas.get(0).getMetadata().getNamespace());
        });
        Map<String, Object> config = SettingsTests.map(SettingsTests.map(SettingsTests.map(
                kafkas.get(0).getAdditionalProperties().get("spec")).get("kafka")).get("config"));
        assertThat(config).containsEntry("auto.create.topics.enable", false).containsEntry("default.replication.factor", 3)
                .containsEntry("min.insync.replicas", 2).containsEntry("offsets.topic.replication.factor", 3);
        int brokers = base.all("kafka.strimzi.io", "KafkaNodePool").stream()
                .filter(p -> cluster.equals(p.getMetadata().getLabels().get("strimzi.io/cluster")))
                .map(p -> SettingsTests.map(p.getAdditionalProperties().get("spec")))
                .filter(s -> ((List<?>) s.get("roles")).contains("broker"))
                .mapToInt(s -> (Integer) s.get("replicas")).sum();
        assertThat(brokers).as("brokers of %s", cluster).isGreaterThanOrEqualTo(3);
    }
}
