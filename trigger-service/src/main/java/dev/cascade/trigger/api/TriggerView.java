package dev.cascade.trigger.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.cascade.trigger.pipeline.Pipeline;

/**
 * What started a pipeline: a git push ({@code git}), an image push ({@code image}), or, when no root event
 * exists or has been seen yet, the kind of the first node the pipeline caused directly (a build requested by
 * hand is a {@code build}); {@code unknown} before any of these.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TriggerView(String kind, String summary, String repository, String ref, String commit, String image,
                          String digest, String config) {

    static TriggerView of(Pipeline p) {
        String kind = p.triggerKind == null ? "unknown" : p.triggerKind;
        String summary;
        switch (kind) {
            case "git" -> summary = p.repository + " " + p.gitRef + " @ " + shorten(p.gitCommit, 12);
            case "image" -> summary = p.image + " @ " + shorten(p.digest, 19);
            case "build" -> summary = "build of " + p.config;
            case "rollout" -> summary = "rollout of " + p.image;
            default -> summary = "root event not seen yet";
        }
        return new TriggerView(kind, summary, p.repository, p.gitRef, p.gitCommit, p.image, p.digest, p.config);
    }

    private static String shorten(String s, int length) {
        return s == null || s.length() <= length ? s : s.substring(0, length);
    }
}
