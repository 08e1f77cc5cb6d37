package dev.cascade.common.image;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A normalised container image reference: registry, repository, and a tag, a digest or both.
 *
 * <p>Follows the reference grammar of the distribution project (what {@code docker pull} accepts):
 * a first path component with a dot or a colon, or {@code localhost}, names the registry; otherwise
 * the image lives on Docker Hub, whose canonical name here is {@code docker.io} and whose one-component
 * repositories live under {@code library/}. A reference with neither tag nor digest means {@code :latest}.
 * A tag and a digest are kept apart: {@code python:3.12} and {@code python@sha256:…} are different refs.
 */
public record ImageRef(String registry, String repository, String tag, String digest) {

    public static final String DOCKER_HUB = "docker.io";
    public static final String DEFAULT_TAG = "latest";

    private static final Pattern PATH_COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
    private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
    private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}");
    private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");
    private static final Pattern HOST = Pattern.compile(
            "(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?");

    public ImageRef {
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(repository, "repository");
        if (tag == null && digest == null) {
            throw new IllegalArgumentException("an image reference needs a tag or a digest");
        }
    }

    /** Parses a reference as a user or a webhook writes it, without registry aliases. */
    public static ImageRef parse(String reference) {
        return parse(reference, RegistryAliases.NONE);
    }

    /**
     * Parses and normalises a reference, mapping the registry through {@code aliases}.
     *
     * @throws IllegalArgumentException with a message naming the offending part
     */
    public static ImageRef parse(String reference, RegistryAliases aliases) {
        if (reference == null || reference.isBlank()) {
            throw new IllegalArgumentException("image reference is empty");
        }
        String rest = reference.trim();
        if (rest.contains("://")) {
            throw new IllegalArgumentException("image reference must not have a scheme: " + reference);
        }

        String digest = null;
        int at = rest.indexOf('@');
        if (at >= 0) {
            digest = rest.substring(at + 1);
            rest = rest.substring(0, at);
            if (!DIGEST.matcher(digest).matches() || (digest.startsWith("sha256:") && !SHA256.matcher(digest).matches())) {
                throw new IllegalArgumentException("invalid digest '" + digest + "' in " + reference);
            }
        }

        String tag = null;
        int lastSlash = rest.lastIndexOf('/');
        int colon = rest.lastIndexOf(':');
        if (colon > lastSlash) {
            tag = rest.substring(colon + 1);
            rest = rest.substring(0, colon);
            if (!TAG.matcher(tag).matches()) {
                throw new IllegalArgumentException("invalid tag '" + tag + "' in " + reference);
            }
        }

        String registry;
        String path;
        int firstSlash = rest.indexOf('/');
        String first = firstSlash < 0 ? null : rest.substring(0, firstSlash);
        if (first != null && (first.contains(".") || first.contains(":") || first.equals("localhost") || first.startsWith("["))) {
            if (!HOST.matcher(first).matches()) {
                throw new IllegalArgumentException("invalid registry '" + first + "' in " + reference);
            }
            registry = first.toLowerCase(Locale.ROOT);
            path = rest.substring(firstSlash + 1);
        } else {
            registry = DOCKER_HUB;
            path = rest;
        }
        registry = aliases.canonical(canonicalDockerHub(registry));
        if (registry.equals(DOCKER_HUB) && !path.contains("/")) {
            path = "library/" + path;
        }
        if (path.isEmpty()) {
            throw new IllegalArgumentException("image reference has no repository: " + reference);
        }
        for (String component : path.split("/", -1)) {
            if (!PATH_COMPONENT.matcher(component).matches()) {
                throw new IllegalArgumentException("invalid repository component '" + component + "' in " + reference
                        + " (lower-case letters, digits and . _ - separators only)");
            }
        }
        if (path.length() + registry.length() + 1 > 255) {
            throw new IllegalArgumentException("image name longer than 255 characters: " + reference);
        }
        if (tag == null && digest == null) {
            tag = DEFAULT_TAG;
        }
        return new ImageRef(registry, path, tag, digest);
    }

    private static String canonicalDockerHub(String registry) {
        return switch (registry) {
            case "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com" -> DOCKER_HUB;
            default -> registry;
        };
    }

    /** {@code registry/repository}: the name without tag or digest, also the Kafka key of image events. */
    public String name() {
        return registry + "/" + repository;
    }

    /** {@code registry/repository:tag}, the mutable name a tag points through. */
    public String taggedName() {
        if (tag == null) {
            throw new IllegalStateException("reference has no tag: " + this);
        }
        return name() + ":" + tag;
    }

    /** {@code registry/repository@digest}, the immutable reference a workload should run. */
    public String pinned() {
        if (digest == null) {
            throw new IllegalStateException("reference has no digest: " + this);
        }
        return name() + "@" + digest;
    }

    public ImageRef withDigest(String newDigest) {
        return new ImageRef(registry, repository, tag, newDigest);
    }

    public ImageRef withoutDigest() {
        return new ImageRef(registry, repository, tag == null ? DEFAULT_TAG : tag, null);
    }

    /** The canonical string: {@code registry/repository[:tag][@digest]}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(name());
        if (tag != null) {
            sb.append(':').append(tag);
        }
        if (digest != null) {
            sb.append('@').append(digest);
        }
        return sb.toString();
    }
}
