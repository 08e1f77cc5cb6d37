package dev.cascade.common.events;

/**
 * An event of the contract. Each kind knows where it goes and what it is called, so a service hands the
 * outbox the event and its place in the pipeline, nothing positional: the topic, the Kafka key (which
 * keeps the events about one thing in order), the CloudEvents type and subject all come from here.
 */
public sealed interface CascadeEvent permits SourcePushed, ImageEvent, BuildEvent, CascadePlanned, RolloutEvent {

    /** The Kafka topic the event is published to. */
    String topic();

    /** The Kafka key: every event about one thing lands on one partition, in order. */
    String key();

    /** The CloudEvents {@code type}, e.g. {@code cascade.build.succeeded}. */
    String eventType();

    /** The CloudEvents {@code subject}: what the event is about (a repository, an image, a config, a workload). */
    String subject();
}
