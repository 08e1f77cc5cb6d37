package dev.cascade.build.executor;

import java.util.Map;

/**
 * A successful build: the commit built, the digest pushed, and the digest each base image resolved to.
 */
public record BuildOutcome(String commit, String image, String digest, Map<String, String> baseDigests) {
}
