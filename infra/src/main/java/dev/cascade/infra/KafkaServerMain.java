package dev.cascade.infra;

/**
 * Runs {@code kafka.Kafka} in a child JVM that exits when its parent goes away (its standard input
 * closes), so a killed test run or launcher never leaves a broker behind.
 */
public final class KafkaServerMain {

    private KafkaServerMain() {
    }

    public static void main(String[] args) {
        ParentWatch.exitWhenStdinCloses("kafka");
        kafka.Kafka.main(args);
    }
}
