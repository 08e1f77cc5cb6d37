package dev.cascade.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.cascade.testsupport.CascadeInfraResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.UniEmitter;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Periodic work runs one run at a time: ticks that come while a run waits are skipped, so a run that hangs (on a lock,
 * a full pool, a slow server) never has more of itself pile up behind it.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "messaging"))
class PeriodicTests {

    @Inject
    Periodic periodic;

    @Test
    void aTickThatComesWhileTheLastRunWaitsIsSkippedAndTheWorkGoesOnOnceItEnds() throws Exception {
        AtomicInteger started = new AtomicInteger();
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger mostAtOnce = new AtomicInteger();
        AtomicReference<UniEmitter<? super Integer>> waiting = new AtomicReference<>();
        AtomicReference<Boolean> hold = new AtomicReference<>(true);

        periodic.every(Duration.ofMillis(20), "periodic test work", () -> {
            started.incrementAndGet();
            mostAtOnce.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            Uni<Integer> run = hold.get() ? Uni.createFrom().<Integer>emitter(waiting::set) : Uni.createFrom().item(1);
            return run.eventually(inFlight::decrementAndGet);
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> waiting.get() != null);
        // about 25 ticks while the first run waits: none starts a second run
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> started.get() == 1);

        hold.set(false);
        waiting.get().complete(1);
        await().atMost(Duration.ofSeconds(10)).until(() -> started.get() >= 10);
        assertThat(mostAtOnce.get()).as("runs of the work at once").isEqualTo(1);
    }
}
