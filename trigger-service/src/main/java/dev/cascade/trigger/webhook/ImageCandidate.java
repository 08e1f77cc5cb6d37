package dev.cascade.trigger.webhook;

/**
 * A manifest or index push a registry reported, before registry aliases are applied and, for senders
 * that do not report one (Docker Hub, Quay), before its digest is resolved from the registry.
 *
 * @param registry   registry host as the sender names it ({@code localhost:5000}, {@code docker.io})
 * @param repository repository path inside the registry
 * @param tag        the tag pushed (never empty: untagged pushes are not candidates)
 * @param digest     {@code sha256:…}, or null when the sender does not report it
 * @param mediaType  manifest or index media type when reported, else null
 */
public record ImageCandidate(String registry, String repository, String tag, String digest, String mediaType) {
}
