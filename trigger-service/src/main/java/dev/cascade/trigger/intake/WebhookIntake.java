package dev.cascade.trigger.intake;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.ImageReported;
import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import dev.cascade.messaging.OutboxRelay;
import dev.cascade.registry.RegistryClient;
import dev.cascade.trigger.provider.WebhookProvider;
import dev.cascade.trigger.secret.WebhookSecrets;
import dev.cascade.trigger.webhook.ImageCandidate;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import dev.cascade.trigger.webhook.ParsedDelivery;
import dev.cascade.trigger.webhook.Signatures;
import dev.cascade.trigger.webhook.WebhookRequest;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.hibernate.exception.ConstraintViolationException;

/**
 * The front door's one path for every sender: verify, read, de-duplicate, and store the delivery with
 * the events it causes (through the outbox) in one transaction. Only after that commit is the sender
 * answered, so an acknowledged delivery is never lost, and a redelivered one is never acted on twice.
 */
@ApplicationScoped
public class WebhookIntake {

    /** Headers that carry a secret: never stored, never logged (Artifactory's holds the secret itself unless it signs). */
    private static final Set<String> SECRET_HEADERS = Set.of("authorization", "proxy-authorization", "cookie",
            "x-gitlab-token", "x-jfrog-event-auth");

    private static final int MAX_DIGEST_LENGTH = 255;

    /** The unique index that lets one original per sender and de-duplication key in (V1__deliveries.sql). */
    static final String DEDUP_INDEX = "delivery_dedup";

    private final Map<String, WebhookProvider> providers;
    private final WebhookSecrets secrets;
    private final DeliveryEvents events;
    private final OutboxRelay relay;
    private final RegistryClient registry;
    private final RegistryAliases aliases;
    private final ObjectMapper json;

    public WebhookIntake(Instance<WebhookProvider> providers, WebhookSecrets secrets, DeliveryEvents events, OutboxRelay relay,
                         RegistryClient registry, RegistryAliases aliases, ObjectMapper json) {
        this.providers = providers.stream().collect(Collectors.toMap(WebhookProvider::sender, Function.identity()));
        this.secrets = secrets;
        this.events = events;
        this.relay = relay;
        this.registry = registry;
        this.aliases = aliases;
        this.json = json;
    }

    /** The provider for a sender named in a URL, or empty when there is none of that kind. */
    public Optional<WebhookProvider> provider(String sender, WebhookProvider.Kind kind) {
        return Optional.ofNullable(providers.get(sender)).filter(p -> p.kind() == kind);
    }

    /**
     * Takes in one delivery whose size and media type the caller has checked.
     *
     * @throws MalformedWebhookException (as a failed Uni) when a verified delivery cannot be read
     */
    public Uni<IntakeResult> receive(WebhookProvider provider, WebhookRequest request) {
        String subject = provider.claimedSubject(request);
        return Panache.withSession(() -> secrets.activeFor(provider.sender(), subject))
                .chain(active -> {
                    Signatures.Verdict verdict = Signatures.verify(provider.credential(request), active, request.body());
                    if (!verdict.ok()) {
                        Log.warnf("webhook from %s for %s refused: %s", provider.sender(), subject, verdict.reason());
                        return reject(request, subject, verdict.reason());
                    }
                    ParsedDelivery parsed = provider.parse(request);
                    return record(request, parsed, null);
                });
    }

    /** Runs a stored delivery through the intake again, as a new delivery that is not de-duplicated. */
    public Uni<IntakeResult> redeliver(Delivery original) {
        WebhookProvider provider = providers.get(original.sender);
        if (provider == null || original.body == null) {
            return Uni.createFrom().failure(new IllegalStateException("delivery " + original.id + " cannot be redelivered"));
        }
        WebhookRequest request = new WebhookRequest(original.sender, readHeaders(original.headers), original.body, null);
        return record(request, provider.parse(request), original.id);
    }

    private Uni<IntakeResult> reject(WebhookRequest request, String subject, String reason) {
        Delivery d = newDelivery(request, Delivery.Status.REJECTED, null, subject, reason);
        d.body = null;
        return Panache.withTransaction(d::persist).map(x -> IntakeResult.of(d, List.of()));
    }

    private Uni<IntakeResult> record(WebhookRequest request, ParsedDelivery parsed, UUID redeliveryOf) {
        if (parsed.images().stream().anyMatch(c -> c.digest() == null)) {
            // Quay sends the same notification for every push of a tag: only the digests the tags point at now
            // tell the notification of a new push from a resend of an old one, so they are part of the key
            return resolveDigests(request, parsed).chain(images -> record(request, parsed.withDedupKey(parsed.dedupKey() + "@"
                    + images.stream().map(ImageReported::digest).distinct().sorted().collect(Collectors.joining(","))), images, redeliveryOf));
        }
        return record(request, parsed, null, redeliveryOf);
    }

    /**
     * Stores a delivery as new or as a duplicate of its original; {@code resolved} are its images when already resolved.
     * A delivery is stored as new first: the unique index on sender and de-duplication key refuses a copy (one sent
     * again, or two arriving at once), and only then is its original looked up, so a new delivery costs no look-up.
     */
    private Uni<IntakeResult> record(WebhookRequest request, ParsedDelivery parsed, List<ImageReported> resolved, UUID redeliveryOf) {
        Uni<IntakeResult> attempt = (resolved != null ? Uni.createFrom().item(resolved) : resolveDigests(request, parsed))
                .chain(images -> storeNew(request, parsed, images, redeliveryOf));
        return attempt.onFailure(WebhookIntake::isUniqueViolation).recoverWithUni(failure -> findOriginal(request.sender(), parsed.dedupKey())
                .chain(original -> original != null
                        ? storeDuplicate(request, parsed, original)
                        : Uni.createFrom().failure(failure)));
    }

    private Uni<Delivery> findOriginal(String sender, String dedupKey) {
        return Panache.withSession(() -> Delivery.<Delivery>find(
                "sender = ?1 and dedupKey = ?2 and status in (?3, ?4) and redeliveryOf is null",
                sender, dedupKey, Delivery.Status.ACCEPTED, Delivery.Status.IGNORED).firstResult());
    }

    private Uni<IntakeResult> storeDuplicate(WebhookRequest request, ParsedDelivery parsed, Delivery original) {
        Delivery d = newDelivery(request, Delivery.Status.DUPLICATE, parsed, parsed.subject(),
                "already received as delivery " + original.id);
        d.duplicateOf = original.id;
        d.pipelineId = original.pipelineId;
        d.body = null;
        return Panache.withTransaction(() -> d.persist()
                .chain(() -> DeliveryEvent.<DeliveryEvent>list("deliveryId", original.id)))
                .map(events -> IntakeResult.of(d, events.stream().map(e -> e.pipelineId).distinct().toList()));
    }

    /** Image pushes with their digests: resolved from the registry for senders that do not report one. */
    private Uni<List<ImageReported>> resolveDigests(WebhookRequest request, ParsedDelivery parsed) {
        if (parsed.images().isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        return Multi.createFrom().iterable(parsed.images())
                .onItem().transformToUniAndConcatenate(c -> toImageReported(request.sender(), c))
                .collect().asList()
                .map(list -> list.stream().filter(java.util.Objects::nonNull).toList());
    }

    private Uni<ImageReported> toImageReported(String sender, ImageCandidate c) {
        if (c.digest() != null && c.digest().length() > MAX_DIGEST_LENGTH) {
            // the digest keys image_report, whose index takes entries of a few kilobytes; sha512 is 135 characters
            throw new MalformedWebhookException("a digest of " + c.digest().length() + " characters is no digest");
        }
        ImageRef ref;
        try {
            ref = ImageRef.parse(c.registry() + "/" + c.repository() + ":" + c.tag(), aliases);
        } catch (IllegalArgumentException e) {
            throw new MalformedWebhookException("invalid image reference: " + e.getMessage());
        }
        // resolveDigest answers on this request's Vert.x context, where the session goes on
        Uni<String> digest = c.digest() != null
                ? Uni.createFrom().item(c.digest())
                : registry.resolveDigest(ref.registry(), ref.repository(), ref.tag());
        return digest.map(d -> new ImageReported(ref.taggedName(), ref.registry(), ref.repository(), ref.tag(), d, c.mediaType(), sender, null));
    }

    private Uni<IntakeResult> storeNew(WebhookRequest request, ParsedDelivery parsed, List<ImageReported> images, UUID redeliveryOf) {
        Delivery d = newDelivery(request, parsed.ignored() != null ? Delivery.Status.IGNORED : Delivery.Status.ACCEPTED,
                parsed, parsed.subject(), parsed.ignored());
        d.redeliveryOf = redeliveryOf;
        List<UUID> pipelines = new ArrayList<>();
        // flushed at once: the native insert into image_report refers to this row
        return Panache.withTransaction(() -> d.persistAndFlush()
                        .chain(() -> Multi.createFrom().iterable(parsed.pushes())
                                .onItem().transformToUniAndConcatenate(push -> events.sourcePushed(d, push).invoke(pipelines::add))
                                .collect().asList())
                        .chain(() -> Multi.createFrom().iterable(images)
                                .onItem().transformToUniAndConcatenate(image -> events.imageReported(d, image).invoke(id -> {
                                    if (id != null) {
                                        pipelines.add(id);
                                    }
                                }))
                                .collect().asList())
                        .chain(() -> {
                            if (d.status == Delivery.Status.ACCEPTED && pipelines.isEmpty() && !images.isEmpty()) {
                                d.status = Delivery.Status.IGNORED;
                                d.reason = "every image push in it was reported before";
                            }
                            d.pipelineId = pipelines.isEmpty() ? null : pipelines.get(0);
                            return Uni.createFrom().voidItem();
                        }))
                .map(x -> {
                    if (!pipelines.isEmpty()) {
                        relay.relaySoon(); // its events are committed: published now rather than at the relay's next poll
                    }
                    Log.infof("delivery %s from %s (%s): %s%s", d.id, d.sender, d.eventName, d.status.dbValue(),
                            d.reason == null ? "" : " - " + d.reason);
                    return IntakeResult.of(d, pipelines);
                });
    }

    private Delivery newDelivery(WebhookRequest request, Delivery.Status status, ParsedDelivery parsed, String subject, String reason) {
        Delivery d = new Delivery();
        d.id = UUID.randomUUID();
        d.sender = request.sender();
        d.status = status;
        d.eventName = parsed == null ? null : parsed.eventName();
        d.dedupKey = parsed == null ? null : parsed.dedupKey();
        d.subject = subject;
        d.reason = reason;
        d.contentType = request.header("Content-Type");
        d.headers = writeHeaders(request.headers());
        d.body = request.body();
        d.receivedAt = OffsetDateTime.now();
        return d;
    }

    private String writeHeaders(Map<String, List<String>> headers) {
        Map<String, List<String>> kept = new TreeMap<>();
        headers.forEach((k, v) -> {
            if (!SECRET_HEADERS.contains(k.toLowerCase(java.util.Locale.ROOT))) {
                kept.put(k, v);
            }
        });
        try {
            return json.writeValueAsString(kept);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, List<String>> readHeaders(String stored) {
        try {
            return stored == null ? Map.of() : json.readValue(stored, Map.class);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("stored headers are unreadable", e);
        }
    }

    /** A copy refused by the unique index on sender and de-duplication key; any other constraint is no copy of anything. */
    static boolean isUniqueViolation(Throwable t) {
        boolean unique = false;
        boolean dedup = false;
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof ConstraintViolationException cve) {
                unique |= "23505".equals(cve.getSQLState());
                dedup |= DEDUP_INDEX.equals(cve.getConstraintName());
            }
            // the reactive client's own exception names the index
            String message = c.getMessage();
            if (message != null && message.contains("\"" + DEDUP_INDEX + "\"")) {
                dedup = true;
                unique |= message.contains("duplicate key");
            }
        }
        return unique && dedup;
    }
}
