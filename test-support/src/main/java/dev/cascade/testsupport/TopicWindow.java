package dev.cascade.testsupport;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;

/** The records a topic of the embedded broker receives from the moment this is opened on. */
public final class TopicWindow implements AutoCloseable {

    private final KafkaConsumer<String, String> consumer;
    private final List<ConsumerRecord<String, String>> seen = new ArrayList<>();

    private TopicWindow(KafkaConsumer<String, String> consumer) {
        this.consumer = consumer;
    }

    /** Opens a window on {@code topic} at its current end; a topic that does not exist yet is created by the broker. */
    public static TopicWindow openAtEnd(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, CascadeInfraResource.infra().kafkaBootstrapServers());
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        KafkaConsumer<String, String> consumer = new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer());
        // a topic nothing has been published to yet is created by the broker on this first look: ask until it has partitions
        List<TopicPartition> partitions = await().atMost(Duration.ofSeconds(30)).until(() -> consumer.partitionsFor(topic,
                        Duration.ofSeconds(5)).stream().map(p -> new TopicPartition(topic, p.partition())).toList(),
                found -> !found.isEmpty());
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // the end offsets are resolved now, before anything is sent
        partitions.forEach(consumer::position);
        return new TopicWindow(consumer);
    }

    /** Everything published since opening, up to (at least) the event with CloudEvents id {@code eventId}. */
    public List<ConsumerRecord<String, String>> until(String eventId) {
        await().atMost(Duration.ofSeconds(45)).until(() -> {
            consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
            return seen.stream().anyMatch(r -> eventId.equals(CloudEventRecords.header(r.headers(), "ce_id")));
        });
        return List.copyOf(seen);
    }

    @Override
    public void close() {
        consumer.close();
    }
}
