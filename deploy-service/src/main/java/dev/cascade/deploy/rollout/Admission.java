package dev.cascade.deploy.rollout;

/**
 * How a new rollout starts out, decided by {@link RolloutDecision#admit}.
 *
 * @param state            {@code PENDING} or {@code AWAITING_APPROVAL} when it goes ahead; {@code ABORTED} (paused workload)
 *                         or {@code SUPERSEDED} (older than the latest image) when it ends at once
 * @param reason           why it ended at once; null when it goes ahead
 * @param supersedesLatest the workload's latest rollout is still active and ends superseded by this one
 */
public record Admission(Rollout.State state, String reason, boolean supersedesLatest) {
}
