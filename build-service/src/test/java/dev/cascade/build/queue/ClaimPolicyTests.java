package dev.cascade.build.queue;

import static dev.cascade.build.queue.QueueClass.CASCADE;
import static dev.cascade.build.queue.QueueClass.INTERACTIVE;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Which queued builds start: interactive before cascades, cascades within their share and pace, Serial configs one at a time. */
class ClaimPolicyTests {

    static final UUID OLD_CASCADE = UUID.randomUUID();
    static final UUID NEW_CASCADE = UUID.randomUUID();
    static final UUID PUSH = UUID.randomUUID();

    static ClaimPolicy.Ready ready(String config, QueueClass c, UUID pipeline) {
        return new ClaimPolicy.Ready(UUID.randomUUID(), config, c, pipeline, false);
    }

    static ClaimPolicy.Running running(String config, QueueClass c) {
        return new ClaimPolicy.Running(UUID.randomUUID(), config, 1, c);
    }

    static List<ClaimPolicy.Ready> cascade(UUID pipeline, String prefix, int n) {
        return IntStream.range(0, n).mapToObj(i -> ready(prefix + i, CASCADE, pipeline)).toList();
    }

    static List<String> configs(ClaimPolicy.Decision d) {
        return d.chosen().stream().map(ClaimPolicy.Ready::config).toList();
    }

    @Test
    void aCascadeAloneUsesEverySlotAsBefore() {
        ClaimPolicy policy = new ClaimPolicy(4, 2, 0);
        ClaimPolicy.Decision d = policy.decide(List.of(), cascade(OLD_CASCADE, "c", 10), Map.of());
        assertThat(configs(d)).containsExactly("c0", "c1", "c2", "c3");
    }

    @Test
    void anInteractiveBuildTakesTheNextFreeSlotAheadOfOlderCascadeBuilds() {
        ClaimPolicy policy = new ClaimPolicy(2, 1, 0);
        List<ClaimPolicy.Ready> queue = new ArrayList<>();
        ClaimPolicy.Ready push = ready("app", INTERACTIVE, PUSH);
        queue.add(push); // the reader puts interactive builds first, whatever their age
        queue.addAll(cascade(OLD_CASCADE, "c", 5));
        // both slots held by the cascade: nothing starts, the push waits for the first slot
        ClaimPolicy.Decision full = policy.decide(List.of(running("x", CASCADE), running("y", CASCADE)), queue, Map.of());
        assertThat(full.chosen()).isEmpty();
        assertThat(full.waiting().get(push.id())).contains("all 2 build slots are in use");
        // one cascade build ended: the slot goes to the push, not to the next cascade build
        ClaimPolicy.Decision freed = policy.decide(List.of(running("x", CASCADE)), queue, Map.of());
        assertThat(freed.chosen()).containsExactly(push);
    }

    @Test
    void whileInteractiveBuildsRunCascadesHoldOnlyTheirShare() {
        ClaimPolicy policy = new ClaimPolicy(4, 2, 0);
        List<ClaimPolicy.Ready> queue = cascade(OLD_CASCADE, "c", 10);
        ClaimPolicy.Decision d = policy.decide(List.of(running("app", INTERACTIVE)), queue, Map.of());
        assertThat(configs(d)).containsExactly("c0", "c1");
        assertThat(d.waiting().get(queue.get(2).id())).contains("cascades hold their share: 2 of 4 slots");
        // the interactive build ended and none waits: the cascade borrows the idle slots again
        assertThat(configs(policy.decide(List.of(running("c0", CASCADE), running("c1", CASCADE)), queue.subList(2, 10), Map.of())))
                .containsExactly("c2", "c3");
    }

    @Test
    void withinCascadesTheQueueOrderHoldsOlderPipelinesFirst() {
        ClaimPolicy policy = new ClaimPolicy(3, 1, 0);
        List<ClaimPolicy.Ready> queue = new ArrayList<>(cascade(OLD_CASCADE, "old", 2));
        queue.addAll(cascade(NEW_CASCADE, "new", 2));
        assertThat(configs(policy.decide(List.of(), queue, Map.of()))).containsExactly("old0", "old1", "new0");
    }

    @Test
    void aPacedCascadeStartsNoMoreThanItsBuildsPerMinuteWhileAnotherCascadeGoesOn() {
        ClaimPolicy policy = new ClaimPolicy(4, 2, 3);
        List<ClaimPolicy.Ready> queue = new ArrayList<>(cascade(OLD_CASCADE, "old", 5));
        queue.addAll(cascade(NEW_CASCADE, "new", 5));
        ClaimPolicy.Decision d = policy.decide(List.of(), queue, Map.of(OLD_CASCADE, 2));
        assertThat(configs(d)).containsExactly("old0", "new0", "new1", "new2");
        assertThat(d.waiting().get(queue.get(1).id())).contains("cascade paced: 3 builds of pipeline " + OLD_CASCADE)
                .contains("at most 3");
    }

    @Test
    void aSerialConfigBuildsOneAtATimeAndAParallelOneDoesNot() {
        ClaimPolicy policy = new ClaimPolicy(4, 2, 0);
        ClaimPolicy.Ready serial = ready("app", INTERACTIVE, PUSH);
        ClaimPolicy.Ready parallel1 = new ClaimPolicy.Ready(UUID.randomUUID(), "par", INTERACTIVE, PUSH, true);
        ClaimPolicy.Ready parallel2 = new ClaimPolicy.Ready(UUID.randomUUID(), "par", INTERACTIVE, UUID.randomUUID(), true);
        ClaimPolicy.Decision d = policy.decide(List.of(new ClaimPolicy.Running(UUID.randomUUID(), "app", 7, CASCADE)),
                List.of(serial, parallel1, parallel2), Map.of());
        assertThat(d.chosen()).containsExactly(parallel1, parallel2);
        assertThat(d.waiting().get(serial.id())).isEqualTo("app #7 is running (a config builds one at a time)");
    }

    @Test
    void aShareOfZeroPausesCascadesWhileInteractiveBuildsWait() {
        ClaimPolicy policy = new ClaimPolicy(2, 0, 0);
        List<ClaimPolicy.Ready> queue = new ArrayList<>();
        ClaimPolicy.Ready push = ready("app", INTERACTIVE, PUSH);
        queue.add(push);
        queue.addAll(cascade(OLD_CASCADE, "c", 3));
        assertThat(policy.decide(List.of(), queue, Map.of()).chosen()).containsExactly(push);
        assertThat(configs(policy.decide(List.of(), queue.subList(1, 4), Map.of()))).containsExactly("c0", "c1");
    }
}
