package dev.cascade.deploy.rollout;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.deploy.kube.WorkloadRef;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class WakeupsTests {

    static Rollout rollout(String name) {
        Rollout r = new Rollout();
        r.id = UUID.randomUUID();
        r.workload = new WorkloadRef("watched", "Deployment", name);
        return r;
    }

    @Test
    void aPassLooksAtTheRolloutsOfTheWorkloadsThatChangedOrAtAllAfterAResync() {
        Wakeups wakeups = new Wakeups();
        Rollout web = rollout("web");
        Rollout api = rollout("api");
        Rollout hooked = rollout("worker");
        wakeups.add(new WorkloadRef("watched", "Deployment", "web"));
        wakeups.add(hooked.id);

        Wakeups pass = wakeups.take();
        assertThat(pass.covers(web)).isTrue();
        assertThat(pass.covers(hooked)).isTrue();
        assertThat(pass.covers(api)).isFalse();
        assertThat(wakeups.pending()).isFalse();

        wakeups.addAll();
        assertThat(wakeups.pending()).isTrue();
        assertThat(wakeups.take().covers(api)).isTrue();
    }
}
