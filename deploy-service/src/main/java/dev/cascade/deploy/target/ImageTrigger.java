package dev.cascade.deploy.target;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.List;
import java.util.Locale;

/**
 * One entry of the {@code cascade.dev/image-triggers} annotation (modelled on OpenShift's
 * {@code image.openshift.io/triggers}): which image a container follows and how.
 *
 * @param from      {@code registry/repository:tag}; for {@code glob} the tag is a pattern ({@code release-*});
 *                  for {@code semver} the tag is the version the bound is measured from
 * @param container the container whose image is replaced
 * @param policy    {@code digest} (same tag, new digest), {@code semver} (newer version tag within the bound),
 *                  {@code glob} (any tag matching the pattern)
 * @param bound     for semver: {@code major} (any newer), {@code minor} (same major), {@code patch} (same major.minor)
 */
public record ImageTrigger(String from, String container, String policy, String bound) {

    public static final String ANNOTATION = "cascade.dev/image-triggers";

    public ImageTrigger {
        if (from == null || from.isBlank()) {
            throw new IllegalArgumentException("image trigger without 'from'");
        }
        if (container == null || container.isBlank()) {
            throw new IllegalArgumentException("image trigger for " + from + " names no container");
        }
        policy = policy == null ? "digest" : policy.toLowerCase(Locale.ROOT);
        if (!List.of("digest", "semver", "glob").contains(policy)) {
            throw new IllegalArgumentException("image trigger policy must be digest, semver or glob, not " + policy);
        }
        bound = bound == null ? (policy.equals("semver") ? "minor" : null) : bound.toLowerCase(Locale.ROOT);
        if (policy.equals("semver") && !List.of("major", "minor", "patch").contains(bound)) {
            throw new IllegalArgumentException("semver bound must be major, minor or patch, not " + bound);
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();

    /** Reads the annotation's JSON list; a malformed annotation is reported, not guessed at. */
    public static List<ImageTrigger> parse(String annotation) {
        try {
            return JSON.readValue(annotation, new TypeReference<List<ImageTrigger>>() {
            });
        } catch (Exception e) {
            throw new IllegalArgumentException("annotation " + ANNOTATION + " is not a JSON list of {from, container, policy}: "
                    + e.getMessage().lines().findFirst().orElse(""));
        }
    }
}
