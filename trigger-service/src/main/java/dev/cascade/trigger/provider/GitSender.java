package dev.cascade.trigger.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.SourcePushed;
import dev.cascade.common.git.GitRef;
import dev.cascade.trigger.webhook.ParsedDelivery;
import io.quarkus.logging.Log;
import java.util.List;
import java.util.Set;

/**
 * A git host's sender: its subject is the repository the payload names, and a push to one ref is read the same way
 * for every host that reports one per delivery (GitHub, GitLab, Gitea). Each sender says where its payload keeps
 * the repository and the pusher, and how it reports a deleted ref and the files changed.
 */
abstract class GitSender extends JsonSender {

    GitSender(ObjectMapper mapper, String sender, Set<String> mediaTypes) {
        super(mapper, sender, Kind.GIT, mediaTypes);
    }

    @Override
    String subject(JsonNode root) {
        return GitPushes.lenientRepository(repositoryUrl(root));
    }

    /** The repository URL the payload names, or null. */
    abstract String repositoryUrl(JsonNode root);

    /** Who pushed, as the payload names them; null when it does not. */
    abstract String pusher(JsonNode root);

    /** Whether the push deleted the ref: hosts report the zero commit id, and some say so otherwise too. */
    boolean deleted(JsonNode root, String after) {
        return GitPushes.isZero(after);
    }

    /** The files the push changed, or null when they may not be the whole change (see {@link GitPushes#changedPaths}). */
    List<String> changedPaths(JsonNode root, String before) {
        return null;
    }

    /**
     * A push to one ref: ignored with the reason when it starts nothing (not a branch or tag, deleted, marked
     * {@code [skip ci]}), else the one source push it reports.
     */
    ParsedDelivery refPush(String event, String dedupKey, JsonNode root, RefUpdate update) {
        boolean deleted = deleted(root, update.after());
        GitPushes.Commit head = deleted ? null : GitPushes.headCommit(root, update.after());
        String why = GitPushes.whyIgnored(update.rawRef(), update.ref(), deleted, head);
        if (why != null) {
            Log.debugf("%s push to %s ignored: %s", sender(), update.repository(), why);
            return ParsedDelivery.ignored(event, dedupKey, update.repository(), why);
        }
        List<String> paths = changedPaths(root, update.before());
        SourcePushed push = new SourcePushed(update.repository(), update.ref().type(), update.ref().name(), update.before(),
                update.after(), paths, pusher(root), sender(), null);
        return ParsedDelivery.pushes(event, dedupKey, update.repository(), List.of(push));
    }

    /**
     * What a push payload says of its one ref.
     *
     * @param rawRef the ref as sent
     * @param ref    the branch or tag it names; null for other refs ({@code refs/pull/1/head})
     * @param before the commit the ref was at, null when not given
     * @param after  the commit the ref is at now (the zero id when deleted)
     */
    record RefUpdate(String repository, String rawRef, GitRef ref, String before, String after) {

        /** Reads {@code ref}, {@code after} and {@code before} at the top of the payload, where GitHub, GitLab and Gitea send them. */
        static RefUpdate read(JsonNode root, String repositoryUrl, String repositoryField) {
            String repository = GitPushes.repository(repositoryUrl, repositoryField);
            String rawRef = StrictJson.text(root, "/ref");
            GitRef ref = GitPushes.ref(rawRef);
            String after = GitPushes.sha(root, "/after");
            String before = GitPushes.optionalSha(root, "/before");
            return new RefUpdate(repository, rawRef, ref, before, after);
        }

        /** The de-duplication key for senders whose delivery ids change on a resend: repository, ref and commit. */
        String dedupKey() {
            return GitPushes.dedupKey(repository + ":" + rawRef.trim() + ":" + after);
        }
    }
}
