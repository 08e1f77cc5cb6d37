package dev.cascade.build.image;

import dev.cascade.build.executor.ExecutorSettings;
import dev.cascade.buildstep.BuildahSettings;
import dev.cascade.common.events.ImageReported;
import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import dev.cascade.registry.RegistryClient;
import dev.cascade.registry.RegistryLookupException;
import dev.cascade.registry.RegistryNotAllowedException;
import dev.cascade.registry.TagNotFoundException;
import io.smallrye.mutiny.TimeoutException;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Asks a report's registry what its tag points at now ({@code HEAD} on the tag's manifest, index first) and, when that is
 * another digest, whether the reported one is there at all, with the configured endpoints and credentials
 * ({@code CASCADE_REGISTRY_*}); registries builds push to insecurely are asked over plain HTTP, as builds reach them.
 * A registry that could not be asked is left alone for a few seconds, so a batch of its reports does not wait for its
 * timeouts one by one.
 */
@ApplicationScoped
class RegistryCheck {

    /** What the registry says of a report. */
    enum Kind {
        /** the tag points at the reported digest */
        CONFIRMED,
        /** the tag has moved on to {@link Verdict#current()}; the registry does hold the reported digest */
        MOVED,
        /** the registry does not serve the reported digest under that tag */
        REFUSED,
        /** the registry could not be asked */
        UNKNOWN
    }

    /**
     * @param current the digest the tag points at now, when the registry said
     * @param reason  why the report is refused or could not be verified; null otherwise
     */
    record Verdict(Kind kind, String current, String reason) {
    }

    /** One question to a registry: its answers, a token exchange included, come within this or not at all. */
    private static final Duration LOOKUP = Duration.ofSeconds(15);
    /** How long a registry that could not be asked is not asked again. */
    private static final Duration QUIET = Duration.ofSeconds(10);

    private final RegistryClient registry;
    private final RegistryAliases aliases;
    private final boolean verifyByDefault;
    private final Map<String, Boolean> perRegistry = new HashMap<>();
    private final Map<String, Silence> silent = new ConcurrentHashMap<>();

    private record Silence(Instant until, String reason) {
    }

    RegistryCheck(RegistryClient registry, ExecutorSettings executor, ReportVerificationSettings settings, RegistryAliases aliases,
                  UsedRegistries used) {
        // a report names its registry: only one an operator named or the graph and the watch list use is asked
        this.registry = registry.withPlainHttp(r -> BuildahSettings.listed(executor.insecureRegistries(), r)).withAllowed(used::uses);
        this.aliases = aliases;
        this.verifyByDefault = settings.verifyReports();
        settings.verify().forEach((name, on) -> perRegistry.put(canonical(name), on));
    }

    /** Whether reports of images in {@code registry} are confirmed with it before they are acted on. */
    boolean verifies(String registry) {
        return perRegistry.getOrDefault(canonical(registry), verifyByDefault);
    }

    /** What the registry says of the report now; never a failure. */
    Uni<Verdict> check(ImageReported report) {
        ImageRef tagged;
        try {
            tagged = ImageRef.parse(report.image(), aliases).withDigest(null);
        } catch (IllegalArgumentException e) {
            return Uni.createFrom().item(new Verdict(Kind.REFUSED, null, "not an image reference: " + e.getMessage()));
        }
        if (tagged.tag() == null) {
            return Uni.createFrom().item(new Verdict(Kind.REFUSED, null, "the report names no tag"));
        }
        Silence quiet = silent.get(tagged.registry());
        if (quiet != null && quiet.until().isAfter(Instant.now())) {
            return Uni.createFrom().item(new Verdict(Kind.UNKNOWN, null, quiet.reason()));
        }
        String where = tagged.name();
        return ask(registry.resolveDigest(tagged))
                .chain(current -> current.equals(report.digest()) ? Uni.createFrom().item(new Verdict(Kind.CONFIRMED, current, null))
                        : ask(registry.hasManifest(tagged.withDigest(report.digest()))).map(held -> held
                                ? new Verdict(Kind.MOVED, current, null)
                                : new Verdict(Kind.REFUSED, current, where + " does not hold " + report.digest() + "; its tag "
                                        + tagged.tag() + " points at " + current)))
                .onFailure(TagNotFoundException.class).recoverWithItem(e -> new Verdict(Kind.REFUSED, null,
                        where + " has no tag " + tagged.tag()))
                .onFailure(RegistryNotAllowedException.class).recoverWithItem(e -> new Verdict(Kind.REFUSED, null, e.getMessage()))
                .onFailure().recoverWithItem(e -> {
                    String reason = e instanceof RegistryLookupException || e instanceof IllegalArgumentException ? e.getMessage()
                            : e instanceof TimeoutException ? "registry " + tagged.registry() + " did not answer in " + LOOKUP.toSeconds() + " s"
                            : e.toString();
                    silent.put(tagged.registry(), new Silence(Instant.now().plus(QUIET), reason));
                    return new Verdict(Kind.UNKNOWN, null, reason);
                });
    }

    private static <T> Uni<T> ask(Uni<T> question) {
        return question.ifNoItem().after(LOOKUP).fail();
    }

    private String canonical(String registry) {
        String name = registry.trim().toLowerCase(Locale.ROOT);
        try {
            return ImageRef.parse(name + "/x:y", aliases).registry();
        } catch (IllegalArgumentException e) {
            return name;
        }
    }
}
