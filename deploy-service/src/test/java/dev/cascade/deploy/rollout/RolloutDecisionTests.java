package dev.cascade.deploy.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.deploy.kube.HookState;
import dev.cascade.deploy.kube.WorkloadRef;
import dev.cascade.deploy.kube.WorkloadView;
import dev.cascade.deploy.target.ImageTrigger;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/** The decision table of a rollout, without a cluster or a database: facts in, the step or admission out. */
class RolloutDecisionTests {

    static final Duration DEADLINE = Duration.ofMinutes(10);
    static final OffsetDateTime NOW = OffsetDateTime.parse("2026-12-01T12:00:00Z");
    static final String PREVIOUS = "reg:5000/team/web:1";
    static final String NEW = "reg:5000/team/web@sha256:" + "a".repeat(64);

    static Rollout rollout(String kind, Rollout.State status) {
        Rollout r = new Rollout();
        r.id = UUID.randomUUID();
        r.workload = new WorkloadRef("watched", kind, "web");
        r.container = "web";
        r.image = NEW;
        r.tag = "1";
        r.previousImage = PREVIOUS;
        r.status = status;
        r.baseGeneration = 3L;
        r.hookJob = status == Rollout.State.HOOK_RUNNING ? "web-pre-12345678" : null;
        r.pushedAt = NOW.minusMinutes(1);
        r.updatedAt = NOW.minusMinutes(1);
        return r;
    }

    /** A workload of two replicas whose controller reports {@code observed} for generation {@code generation}. */
    static WorkloadView workload(long generation, long observed, int updated, int ready, int available, String failedReason,
                                 Map<String, String> annotations) {
        return workload(generation, observed, updated, ready, available, failedReason, NEW, annotations);
    }

    static WorkloadView workload(long generation, long observed, int updated, int ready, int available, String failedReason,
                                 String image, Map<String, String> annotations) {
        return new WorkloadView(new WorkloadRef("watched", "Deployment", "web"), generation, observed, 2, updated, ready, available,
                failedReason, Map.of("web", image), annotations);
    }

    static Optional<WorkloadView> rolledOut(Map<String, String> annotations) {
        return Optional.of(workload(4, 4, 2, 2, 2, null, annotations));
    }

    static Optional<WorkloadView> untouched(Map<String, String> annotations) {
        return Optional.of(workload(3, 3, 2, 2, 2, null, PREVIOUS, annotations));
    }

    static RolloutStep next(Rollout r, Optional<WorkloadView> w) {
        return RolloutDecision.next(r, w, null, DEADLINE, NOW);
    }

    @Nested
    class ActiveRollouts {

        @Test
        void aRolloutWhoseWorkloadIsGoneIsAborted() {
            for (Rollout.State state : Rollout.State.DRIVEN) {
                assertThat(RolloutDecision.next(rollout("Deployment", state), Optional.empty(), HookState.RUNNING, DEADLINE, NOW))
                        .isEqualTo(new RolloutStep.Abort("the workload is gone"));
            }
        }

        @Test
        void aPendingRolloutWithoutPreRolloutHookPatchesTheWorkload() {
            assertThat(next(rollout("Deployment", Rollout.State.PENDING), untouched(Map.of()))).isEqualTo(RolloutStep.PATCH);
        }

        @Test
        void aPendingRolloutRunsItsPreRolloutHookBeforeThePatch() {
            var hooked = Map.of(RolloutDecision.PRE_HOOK, "{\"command\":[\"manage.py\",\"migrate\"]}");
            assertThat(next(rollout("Deployment", Rollout.State.PENDING), untouched(hooked)))
                    .isEqualTo(new RolloutStep.RunPreHook(List.of("manage.py", "migrate")));
        }

        @Test
        void aMalformedOrEmptyHookAnnotationIsIgnored() {
            Rollout r = rollout("Deployment", Rollout.State.PENDING);
            assertThat(next(r, untouched(Map.of(RolloutDecision.PRE_HOOK, "migrate please")))).isEqualTo(RolloutStep.PATCH);
            assertThat(next(r, untouched(Map.of(RolloutDecision.PRE_HOOK, "{\"command\":[]}")))).isEqualTo(RolloutStep.PATCH);
        }

        @Test
        void aPendingRolloutWhoseWorkloadRunsItsImageAlreadyIsFollowedFromTheGenerationThatCarriesItWithoutASecondPatch() {
            // patched to generation 4, then the instance died before the rollout's new state was committed
            Optional<WorkloadView> patched = Optional.of(workload(4, 3, 0, 2, 2, null, Map.of()));
            Rollout pending = rollout("Deployment", Rollout.State.PENDING);
            pending.baseGeneration = null;
            RolloutStep step = next(pending, patched);
            assertThat(step).isEqualTo(new RolloutStep.Follow(3));

            // followed from there, it ends once the controller reports generation 4 rolled out
            Rollout following = rollout("Deployment", Rollout.State.PROGRESSING);
            following.baseGeneration = ((RolloutStep.Follow) step).baseGeneration();
            assertThat(next(following, patched)).isEqualTo(RolloutStep.WAIT);
            assertThat(next(following, rolledOut(Map.of()))).isEqualTo(new RolloutStep.Succeed(Optional.empty()));
        }

        @Test
        void aPreRolloutHookThatSucceededBeforeACrashAfterThePatchIsNotFollowedByASecondPatch() {
            Rollout r = rollout("Deployment", Rollout.State.HOOK_RUNNING);
            Optional<WorkloadView> patched = Optional.of(workload(7, 7, 2, 2, 2, null, Map.of()));
            assertThat(RolloutDecision.next(r, patched, HookState.SUCCEEDED, DEADLINE, NOW)).isEqualTo(new RolloutStep.Follow(6));
        }

        @Test
        void aRunningPreRolloutHookIsWaitedForThenPatchesOrFailsTheRollout() {
            Rollout r = rollout("Deployment", Rollout.State.HOOK_RUNNING);
            assertThat(RolloutDecision.next(r, untouched(Map.of()), HookState.RUNNING, DEADLINE, NOW)).isEqualTo(RolloutStep.WAIT);
            assertThat(RolloutDecision.next(r, untouched(Map.of()), HookState.SUCCEEDED, DEADLINE, NOW)).isEqualTo(RolloutStep.PATCH);
            assertThat(RolloutDecision.next(r, untouched(Map.of()), HookState.FAILED, DEADLINE, NOW))
                    .isEqualTo(new RolloutStep.FailOnHook("pre-rollout hook web-pre-12345678 failed; the workload was left untouched"));
        }

        @Test
        void aRolloutIsProgressingUntilTheControllerHasSeenTheNewGenerationAndEveryReplicaRunsIt() {
            Rollout r = rollout("Deployment", Rollout.State.PROGRESSING);
            // the controller has not seen the patch yet
            assertThat(next(r, Optional.of(workload(4, 3, 2, 2, 2, null, Map.of())))).isEqualTo(RolloutStep.WAIT);
            // seen, replicas still being replaced
            assertThat(next(r, Optional.of(workload(4, 4, 1, 2, 2, null, Map.of())))).isEqualTo(RolloutStep.WAIT);
            assertThat(next(r, Optional.of(workload(4, 4, 2, 1, 2, null, Map.of())))).isEqualTo(RolloutStep.WAIT);
            assertThat(next(r, Optional.of(workload(4, 4, 2, 2, 1, null, Map.of())))).isEqualTo(RolloutStep.WAIT);
            // a later change of the spec the controller has not seen yet
            assertThat(next(r, Optional.of(workload(5, 4, 2, 2, 2, null, Map.of())))).isEqualTo(RolloutStep.WAIT);
        }

        @Test
        void aRolloutSucceedsWhenObservedGenerationAndUpdatedReadyAvailableReplicasMatch() {
            assertThat(next(rollout("Deployment", Rollout.State.PROGRESSING), rolledOut(Map.of())))
                    .isEqualTo(new RolloutStep.Succeed(Optional.empty()));
        }

        @Test
        void aSucceededRolloutRunsItsPostRolloutHook() {
            var hooked = Map.of(RolloutDecision.POST_HOOK, "{\"command\":[\"./notify\"]}");
            assertThat(next(rollout("Deployment", Rollout.State.PROGRESSING), rolledOut(hooked)))
                    .isEqualTo(new RolloutStep.Succeed(Optional.of(List.of("./notify"))));
        }

        @Test
        void progressDeadlineExceededFailsTheRolloutAndRollsItBack() {
            var stuck = Optional.of(workload(4, 4, 1, 1, 1, "ProgressDeadlineExceeded: ReplicaSet has timed out progressing.", Map.of()));
            assertThat(next(rollout("Deployment", Rollout.State.PROGRESSING), stuck))
                    .isEqualTo(new RolloutStep.Fail("ProgressDeadlineExceeded: ReplicaSet has timed out progressing.", true));
        }

        @Test
        void aFailedRolloutIsNotRolledBackWhenRollbackIsManualOrThereIsNoPreviousImage() {
            String reason = "ProgressDeadlineExceeded";
            var manual = Optional.of(workload(4, 4, 1, 1, 1, reason, Map.of(RolloutDecision.ROLLBACK, "Manual")));
            assertThat(next(rollout("Deployment", Rollout.State.PROGRESSING), manual)).isEqualTo(new RolloutStep.Fail(reason, false));

            Rollout first = rollout("Deployment", Rollout.State.PROGRESSING);
            first.previousImage = null;
            assertThat(next(first, Optional.of(workload(4, 4, 1, 1, 1, reason, Map.of())))).isEqualTo(new RolloutStep.Fail(reason, false));
        }

        @Test
        void statefulSetsAndDaemonSetsFailAfterTheConfiguredProgressDeadline() {
            var inProgress = Optional.of(workload(4, 4, 1, 2, 2, null, Map.of()));
            for (String kind : List.of("StatefulSet", "DaemonSet")) {
                Rollout r = rollout(kind, Rollout.State.PROGRESSING);
                assertThat(next(r, inProgress)).isEqualTo(RolloutStep.WAIT);
                r.updatedAt = NOW.minus(DEADLINE).minusSeconds(1);
                assertThat(next(r, inProgress)).isEqualTo(new RolloutStep.Fail("not rolled out within PT10M", true));
            }
            // a Deployment's own controller reports its deadline
            Rollout d = rollout("Deployment", Rollout.State.PROGRESSING);
            d.updatedAt = NOW.minus(DEADLINE).minusSeconds(1);
            assertThat(next(d, inProgress)).isEqualTo(RolloutStep.WAIT);
        }

        @Test
        void rolloutsThatWaitForApprovalOrHaveEndedAreNotMoved() {
            for (Rollout.State state : List.of(Rollout.State.AWAITING_APPROVAL, Rollout.State.SUCCEEDED, Rollout.State.ROLLEDBACK)) {
                assertThat(next(rollout("Deployment", state), rolledOut(Map.of()))).isEqualTo(RolloutStep.WAIT);
            }
        }
    }

    @Nested
    class NewRollouts {

        final ImageTrigger digest = new ImageTrigger("reg:5000/team/web:1", "web", "digest", null);
        final ImageTrigger semver = new ImageTrigger("reg:5000/team/web:1.2.0", "web", "semver", "major");

        Rollout candidate(String tag, OffsetDateTime pushedAt) {
            Rollout r = rollout("Deployment", null);
            r.tag = tag;
            r.pushedAt = pushedAt;
            return r;
        }

        Rollout latest(String tag, OffsetDateTime pushedAt, Rollout.State state) {
            Rollout r = rollout("Deployment", state);
            r.image = "reg:5000/team/web@sha256:" + "b".repeat(64);
            r.tag = tag;
            r.pushedAt = pushedAt;
            return r;
        }

        @Test
        void aFirstRolloutIsPlannedOrAwaitsApprovalBehindAGate() {
            assertThat(RolloutDecision.admit(candidate("1", NOW), digest, false, null, false))
                    .isEqualTo(new Admission(Rollout.State.PENDING, null, false));
            assertThat(RolloutDecision.admit(candidate("1", NOW), digest, false, null, true))
                    .isEqualTo(new Admission(Rollout.State.AWAITING_APPROVAL, null, false));
        }

        @Test
        void aPausedWorkloadGetsAnAbortedRollout() {
            assertThat(RolloutDecision.admit(candidate("1", NOW), digest, true, null, false))
                    .isEqualTo(new Admission(Rollout.State.ABORTED, "automatic rollouts of this workload are paused", false));
        }

        @Test
        void aNewerImageSupersedesTheActiveRolloutButNotASucceededOne() {
            Rollout running = latest("1", NOW.minusMinutes(5), Rollout.State.PROGRESSING);
            assertThat(RolloutDecision.admit(candidate("1", NOW), digest, false, running, false))
                    .isEqualTo(new Admission(Rollout.State.PENDING, null, true));
            Rollout done = latest("1", NOW.minusMinutes(5), Rollout.State.SUCCEEDED);
            assertThat(RolloutDecision.admit(candidate("1", NOW), digest, false, done, false))
                    .isEqualTo(new Admission(Rollout.State.PENDING, null, false));
        }

        @Test
        void anImagePushedBeforeTheLatestIsSupersededAtOnce() {
            Rollout newer = latest("1", NOW, Rollout.State.SUCCEEDED);
            Admission late = RolloutDecision.admit(candidate("1", NOW.minusMinutes(5)), digest, false, newer, false);
            assertThat(late).isEqualTo(new Admission(Rollout.State.SUPERSEDED,
                    "older than " + newer.image + " (pushed " + newer.pushedAt + "), which it may not replace", false));
        }

        @Test
        void forVersionedTagsTheVersionDecidesWhichImageIsNewerNotThePushTime() {
            Rollout higher = latest("1.3.0", NOW.minusMinutes(5), Rollout.State.SUCCEEDED);
            assertThat(RolloutDecision.admit(candidate("1.2.9", NOW), semver, false, higher, false).state())
                    .isEqualTo(Rollout.State.SUPERSEDED);
            Rollout lower = latest("1.2.9", NOW, Rollout.State.PROGRESSING);
            assertThat(RolloutDecision.admit(candidate("1.3.0", NOW.minusMinutes(5)), semver, false, lower, false))
                    .isEqualTo(new Admission(Rollout.State.PENDING, null, true));
            // equal versions fall back to the push time
            Rollout same = latest("1.3.0", NOW, Rollout.State.SUCCEEDED);
            assertThat(RolloutDecision.admit(candidate("1.3.0", NOW.minusMinutes(5)), semver, false, same, false).state())
                    .isEqualTo(Rollout.State.SUPERSEDED);
        }
    }
}
