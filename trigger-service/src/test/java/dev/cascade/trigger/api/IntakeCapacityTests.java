package dev.cascade.trigger.api;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.WebhookDelivery;
import dev.cascade.testsupport.WebhookPayloads;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A webhook flood beyond what trigger-service takes in at once ({@code cascade.webhooks.max-in-flight}, 4 in tests) is
 * answered 503 with {@code Retry-After} and stores nothing, so the sender's next attempt is taken in as a new delivery.
 * The deliveries in flight are Quay pushes whose digest look-up waits on a registry (the test configuration's quay.io
 * endpoint, port 25397) that holds every connection without answering.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "trigger"))
class IntakeCapacityTests {

    static final String GITHUB_SECRET = "It's a Secret to Everybody";

    @Test
    void aDeliveryBeyondCapacityIsAnswered503WithRetryAfterAndTakenInWhenSentAgain() throws Exception {
        List<Socket> held = new CopyOnWriteArrayList<>();
        try (ServerSocket registry = new ServerSocket(25397, 50, InetAddress.getByName("127.0.0.1"))) {
            Thread holding = new Thread(() -> {
                while (!registry.isClosed()) {
                    try {
                        held.add(registry.accept());
                    } catch (IOException e) {
                        return;
                    }
                }
            }, "holding registry");
            holding.setDaemon(true);
            holding.start();

            List<CompletableFuture<Integer>> inFlight = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String tag = "flood-" + i;
                inFlight.add(CompletableFuture.supplyAsync(() -> WebhookDelivery.unsigned("quay",
                        WebhookPayloads.utf8(WebhookPayloads.quayPush("acme/flood", tag))).post().extract().statusCode()));
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> held.size() >= 4);

            String deliveryId = UUID.randomUUID().toString();
            WebhookDelivery push = WebhookDelivery.github("push", deliveryId, GITHUB_SECRET, WebhookPayloads.bytes("github/push.json"));
            push.post().statusCode(503).contentType("application/problem+json")
                    .header("Retry-After", "5")
                    .body("detail", containsString("deliver this one again"));

            for (Socket s : held) {
                s.close();
            }
            // the held look-ups fail; their deliveries are answered and leave the intake
            CompletableFuture.allOf(inFlight.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
            // the sender's retry of the refused delivery: nothing of the first attempt was kept
            push.post().statusCode(202).body("status", equalTo("ACCEPTED"));
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }
}
