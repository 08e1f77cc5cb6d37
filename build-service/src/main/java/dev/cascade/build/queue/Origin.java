package dev.cascade.build.queue;

/**
 * What started a pipeline, as far as the queue cares: its class and, for a cascade, the base image whose change started
 * it. Every build of a pipeline has its pipeline's origin.
 *
 * @param queueClass   interactive or cascade
 * @param triggerImage the base image whose push started a cascade (canonical {@code registry/repository:tag}); null for
 *                     interactive pipelines
 */
public record Origin(QueueClass queueClass, String triggerImage) {

    /** A git push or a request by hand. */
    public static Origin interactive() {
        return new Origin(QueueClass.INTERACTIVE, null);
    }

    /** A push of {@code image} from outside Cascade's builds, and everything it rebuilds. */
    public static Origin cascade(String image) {
        return new Origin(QueueClass.CASCADE, image);
    }
}
