package dev.cascade.trigger.api;

import dev.cascade.trigger.intake.IntakeResult;
import dev.cascade.trigger.intake.WebhookIntake;
import dev.cascade.trigger.provider.WebhookProvider;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Webhook deliveries as metrics: {@code cascade_webhook_intake_seconds{kind, sender, outcome}}, whose count is the
 * deliveries received by sender and outcome and whose buckets are the intake latency (request received to answer
 * sent, which includes storing it).
 *
 * <p>Outcomes: {@code accepted}, {@code ignored}, {@code duplicate}, {@code rejected} (a proof that did not match),
 * {@code invalid} (400), {@code unknown-sender}, {@code too-large}, {@code unsupported-media-type}, {@code busy} (429 or
 * 503: not taken now, the sender retries) and {@code error}. A sender name that is not one of Cascade's is counted as
 * {@code unknown}, and a generic hook's path secret never becomes a label.
 */
public class WebhookMetrics {

    private static final String STARTED = WebhookMetrics.class.getName() + ".started";
    private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10), Duration.ofMillis(25),
            Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250), Duration.ofMillis(500), Duration.ofSeconds(1),
            Duration.ofMillis(2500), Duration.ofSeconds(5)};

    private final MeterRegistry registry;
    private final WebhookIntake intake;

    public WebhookMetrics(MeterRegistry registry, WebhookIntake intake) {
        this.registry = registry;
        this.intake = intake;
    }

    @ServerRequestFilter
    public void received(ContainerRequestContext request) {
        if (isWebhook(request)) {
            request.setProperty(STARTED, System.nanoTime());
        }
    }

    @ServerResponseFilter
    public void answered(ContainerRequestContext request, ContainerResponseContext response) {
        if (!(request.getProperty(STARTED) instanceof Long started)) {
            return;
        }
        List<String> path = request.getUriInfo().getPathSegments().stream().map(s -> s.getPath()).toList();
        // webhooks/{git|registry}/{sender}, or webhooks/git/generic/{secret}
        String kind = path.size() > 1 ? path.get(1) : "";
        String sender = path.size() > 2 ? known(kind, path.get(2)) : "unknown";
        Timer.builder("cascade.webhook.intake").description("Webhook deliveries, by sender and outcome, from request to answer")
                .tags("kind", kind.equals("git") || kind.equals("registry") ? kind : "unknown", "sender", sender,
                        "outcome", outcome(response))
                .serviceLevelObjectives(BUCKETS).register(registry)
                .record(Duration.ofNanos(System.nanoTime() - started));
    }

    private static boolean isWebhook(ContainerRequestContext request) {
        String path = request.getUriInfo().getPath();
        return path.startsWith("/webhooks/") || path.startsWith("webhooks/");
    }

    private String known(String kind, String sender) {
        WebhookProvider.Kind k = switch (kind) {
            case "git" -> WebhookProvider.Kind.GIT;
            case "registry" -> WebhookProvider.Kind.REGISTRY;
            default -> null;
        };
        return k != null && intake.provider(sender, k).isPresent() ? sender.toLowerCase(Locale.ROOT) : "unknown";
    }

    static String outcome(ContainerResponseContext response) {
        int status = response.getStatus();
        return switch (status) {
            case 200 -> "duplicate";
            case 202 -> response.getEntity() instanceof IntakeResult r ? r.status().name().toLowerCase(Locale.ROOT) : "accepted";
            case 400 -> "invalid";
            case 401 -> "rejected";
            case 404 -> "unknown-sender";
            case 413 -> "too-large";
            case 415 -> "unsupported-media-type";
            case 429, 503 -> "busy";
            default -> status >= 500 ? "error" : "status-" + status;
        };
    }
}
