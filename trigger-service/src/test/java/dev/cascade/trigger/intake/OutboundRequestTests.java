package dev.cascade.trigger.intake;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

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
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * An unsigned registry delivery names the registry its digest is asked of: trigger-service asks only registries an
 * operator named (endpoint, credentials, {@code CASCADE_REGISTRY_ALLOW}). A listener on the named host must receive
 * nothing, and the delivery is refused as unprocessable, not answered 5xx.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "trigger"))
class OutboundRequestTests {

    @Test
    void aQuayDeliveryNamingAnotherRegistryMakesNoRequestToIt() throws IOException {
        for (String host : new String[] {"127.0.0.1", "localhost"}) {
            try (ServerSocket listener = new ServerSocket(0, 50, InetAddress.getByName(host))) {
                AtomicInteger connections = accepting(listener);
                String named = host + ":" + listener.getLocalPort();
                String payload = WebhookPayloads.quayPush("acme/app", "v1").replace("quay.io/acme/app", named + "/acme/app");
                WebhookDelivery.unsigned("quay", WebhookPayloads.utf8(payload)).post()
                        .statusCode(422).contentType("application/problem+json")
                        .body("detail", containsString("registry " + named + " is not asked"));
                assertThat(connections).as("connections to " + named).hasValue(0);
            }
        }
    }

    private static AtomicInteger accepting(ServerSocket listener) {
        AtomicInteger connections = new AtomicInteger();
        Thread t = new Thread(() -> {
            while (!listener.isClosed()) {
                try (Socket s = listener.accept()) {
                    connections.incrementAndGet();
                } catch (IOException e) {
                    return;
                }
            }
        }, "listener");
        t.setDaemon(true);
        t.start();
        return connections;
    }
}
