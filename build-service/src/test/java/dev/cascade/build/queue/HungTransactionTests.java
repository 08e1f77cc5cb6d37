package dev.cascade.build.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.testsupport.CascadeInfraResource;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A transaction that hangs in the service must not hold its rows and its connection for good: every connection of the
 * pool tells PostgreSQL to end a transaction left idle for a minute, which lets go of its locks (a build's row that its
 * lease renewals wait for, say).
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "build"))
class HungTransactionTests {

    @Inject
    Pool pool;

    @Test
    void everyPooledConnectionHasTheServerEndTransactionsLeftIdleForAMinute() {
        // more at once than one connection, so the setting is seen on several of the pool's connections
        List<String> settings = Uni.join().all(IntStream.range(0, 4).mapToObj(i -> pool.withConnection(c -> c.query(
                                "SELECT current_setting('idle_in_transaction_session_timeout') AS t, pg_sleep(0.2)").execute())
                        .map(rows -> rows.iterator().next().getString("t"))).toList())
                .andFailFast()
                .await().atMost(Duration.ofSeconds(20));
        assertThat(settings).containsOnly("1min");
    }
}
