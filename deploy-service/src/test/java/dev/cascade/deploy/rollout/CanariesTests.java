package dev.cascade.deploy.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.deploy.kube.WorkloadRef;
import dev.cascade.deploy.kube.WorkloadView;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The canary rules that need no cluster: which workloads are canaries, their soak time, and when one is unhealthy. */
class CanariesTests {

    static final Duration FALLBACK = Duration.ofMinutes(2);
    static final WorkloadRef REF = new WorkloadRef("shop", "Deployment", "web");

    @Test
    void aWorkloadIsACanaryByItsAnnotationOrItsNamespace() {
        assertThat(Canaries.isCanary(Map.of("cascade.dev/canary", "true"), false)).isTrue();
        assertThat(Canaries.isCanary(Map.of("cascade.dev/canary", " True "), false)).isTrue();
        assertThat(Canaries.isCanary(Map.of("cascade.dev/canary", "false"), false)).isFalse();
        assertThat(Canaries.isCanary(Map.of(), false)).isFalse();
        assertThat(Canaries.isCanary(Map.of(), true)).isTrue();
    }

    @Test
    void theSoakTimeIsTheAnnotationsDurationOrTheDefault() {
        assertThat(Canaries.soak(Map.of("cascade.dev/canary-soak", "5s"), FALLBACK)).isEqualTo(Duration.ofSeconds(5));
        assertThat(Canaries.soak(Map.of("cascade.dev/canary-soak", "10m"), FALLBACK)).isEqualTo(Duration.ofMinutes(10));
        assertThat(Canaries.soak(Map.of("cascade.dev/canary-soak", "PT90S"), FALLBACK)).isEqualTo(Duration.ofSeconds(90));
        assertThat(Canaries.soak(Map.of("cascade.dev/canary-soak", "soon"), FALLBACK)).isEqualTo(FALLBACK);
        assertThat(Canaries.soak(Map.of(), FALLBACK)).isEqualTo(FALLBACK);
    }

    @Test
    void aCanaryIsUnhealthyWhenReplicasAreUnavailableOrItsControllerGaveUp() {
        assertThat(Canaries.unhealthy(view(3, 3, null))).isEmpty();
        assertThat(Canaries.unhealthy(view(3, 2, null))).contains("2 of 3 replicas available");
        assertThat(Canaries.unhealthy(view(3, 3, "ProgressDeadlineExceeded"))).contains("ProgressDeadlineExceeded");
    }

    static WorkloadView view(int desired, int available, String failed) {
        return new WorkloadView(REF, 4, 4, desired, desired, available, available, failed, Map.of(), Map.of());
    }
}
