package dev.cascade.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The services stay available through node drains: two instances each (every service runs safely twice, as e2e's
 * reliability tests show), a PodDisruptionBudget that lets one go at a time, and a Service in front.
 */
class AvailabilityTests {

    private final RenderedBase base = RenderedBase.get();

    @Test
    void everyServiceRunsTwiceAndADisruptionBudgetKeepsOneUp() {
        for (String service : RenderedBase.SERVICES) {
            Deployment d = base.deployment(service);
            int replicas = d.getSpec().getReplicas();
            assertThat(replicas).as("%s replicas", service).isEqualTo(2);
            Map<String, String> podLabels = d.getSpec().getTemplate().getMetadata().getLabels();
            List<PodDisruptionBudget> budgets = base.all(PodDisruptionBudget.class).stream()
                    .filter(p -> p.getMetadata().getNamespace().equals(d.getMetadata().getNamespace()))
                    .filter(p -> podLabels.entrySet().containsAll(p.getSpec().getSelector().getMatchLabels().entrySet()))
                    .toList();
            assertThat(budgets).as("PodDisruptionBudgets of %s", service).hasSize(1);
            var minAvailable = budgets.get(0).getSpec().getMinAvailable();
            assertThat(minAvailable).as("%s minAvailable", service).isNotNull();
            assertThat(minAvailable.getIntVal()).as("%s minAvailable", service).isBetween(1, replicas - 1);
        }
    }

    @Test
    void everyServiceIsReachableThroughAServiceOnItsHttpPort() {
        for (String service : RenderedBase.SERVICES) {
            Deployment d = base.deployment(service);
            Service s = base.find(Service.class, "cascade", service).orElseThrow(() -> new AssertionError("no Service " + service));
            assertThat(s.getSpec().getSelector()).isEqualTo(d.getSpec().getSelector().getMatchLabels());
            assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsAllEntriesOf(s.getSpec().getSelector());
            var port = s.getSpec().getPorts().get(0);
            assertThat(base.container(service).getPorts())
                    .anyMatch(p -> p.getName().equals(port.getTargetPort().getStrVal()) && p.getContainerPort().equals(port.getPort()));
        }
    }
}
