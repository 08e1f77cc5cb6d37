package dev.cascade.build.cascade;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CascadePlanTests {

    private static CascadePlan.Node node(String name, String... inputs) {
        return new CascadePlan.Node(name, "r/" + name + ":1", Set.of(inputs));
    }

    @Test
    void aDiamondBuildsBothMiddlesBeforeTheAppThatNeedsThem() {
        CascadePlan plan = CascadePlan.of(Set.of("mid1", "mid2"), List.of(
                node("app", "r/mid1:1", "r/mid2:1", "docker.io/library/alpine:3"),
                node("mid2", "r/base:1"),
                node("mid1", "r/base:1")));

        assertThat(plan.configs()).containsExactly("mid1", "mid2", "app");
        assertThat(plan.waves()).hasSize(2);
        assertThat(plan.steps().get(2).after()).containsExactly("mid1", "mid2");
        assertThat(plan.steps().get(2).wave()).isEqualTo(2);
        assertThat(plan.steps().get(2).root()).isFalse();
        assertThat(plan.steps().get(0).root()).isTrue();
    }

    @Test
    void aConfigWaitsForItsDeepestParent() {
        // a → b → c, and a → c directly: c is in wave 3, after both
        CascadePlan plan = CascadePlan.of(Set.of("a"), List.of(node("a"), node("b", "r/a:1"), node("c", "r/a:1", "r/b:1")));
        assertThat(plan.steps()).extracting(CascadePlan.Step::wave).containsExactly(1, 2, 3);
        assertThat(plan.steps().get(2).after()).containsExactly("a", "b");
    }

    @Test
    void everyConfigComesAfterAllOfItsAffectedParentsInALargeLayeredGraph() {
        List<CascadePlan.Node> nodes = new ArrayList<>();
        int layers = 6;
        int width = 40;
        for (int l = 0; l < layers; l++) {
            for (int i = 0; i < width; i++) {
                List<String> inputs = new ArrayList<>();
                if (l > 0) {
                    inputs.add("r/n" + (l - 1) + "-" + i + ":1");
                    inputs.add("r/n" + (l - 1) + "-" + ((i * 7 + 3) % width) + ":1");
                }
                nodes.add(node("n" + l + "-" + i, inputs.toArray(String[]::new)));
            }
        }
        CascadePlan plan = CascadePlan.of(Set.of(), nodes);

        assertThat(plan.steps()).hasSize(layers * width);
        List<String> order = plan.configs();
        for (CascadePlan.Step s : plan.steps()) {
            for (String parent : s.after()) {
                assertThat(order.indexOf(parent)).as("%s after %s", s.config(), parent).isLessThan(order.indexOf(s.config()));
            }
            assertThat(s.wave()).isEqualTo(Integer.parseInt(s.config().substring(1, s.config().indexOf('-'))) + 1);
        }
    }

    @Test
    void aCycleAmongTheAffectedConfigsIsRefusedByName() {
        assertThatThrownBy(() -> CascadePlan.of(Set.of("x"), List.of(node("x", "r/y:1"), node("y", "r/x:1"))))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("[x, y]");
    }

    @Test
    void nothingAffectedIsAnEmptyPlan() {
        assertThat(CascadePlan.of(Set.of(), List.of()).isEmpty()).isTrue();
        assertThat(CascadePlan.EMPTY.waves()).isEmpty();
    }
}
