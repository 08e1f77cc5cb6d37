package dev.cascade.trigger.pipeline;

import dev.cascade.common.events.BuildStatus;
import dev.cascade.common.events.RolloutStatus;
import java.util.Locale;

/**
 * How the statuses of builds and rollouts read in the view, and their order: a node only moves to a
 * status of a higher rank, so an older event that arrives late cannot take it back.
 */
final class NodeStatuses {

    private NodeStatuses() {
    }

    static String of(BuildStatus status) {
        return status.name().toLowerCase(Locale.ROOT);
    }

    /** queued, then started, then any end. */
    static int rank(BuildStatus status) {
        switch (status) {
            case QUEUED:
                return 1;
            case STARTED:
                return 2;
            default:
                return 3;
        }
    }

    static String of(RolloutStatus status) {
        return status.name().toLowerCase(Locale.ROOT);
    }

    /**
     * waiting for the cascade's canaries, then held (a canary failed), then started, then an end; a rollback follows
     * the failure it undoes. The two before started rank below it (negative), so the ranks stored before they existed
     * keep their order.
     */
    static int rank(RolloutStatus status) {
        switch (status) {
            case WAITING:
                return -2;
            case HELD:
                return -1;
            case STARTED:
                return 1;
            case ROLLEDBACK:
                return 3;
            default:
                return 2;
        }
    }

    /** A rollout in this status has ended (it is not waiting, held or under way). */
    static boolean ends(RolloutStatus status) {
        return rank(status) > 1;
    }
}
