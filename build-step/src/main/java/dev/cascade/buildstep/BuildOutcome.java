package dev.cascade.buildstep;

import java.util.Map;

/**
 * A successful build: the commit built, the image and the digest pushed, and the digest each base image resolved
 * to. A build Job's container reports it as its termination message (JSON).
 */
public record BuildOutcome(String commit, String image, String digest, Map<String, String> baseDigests) {
}
