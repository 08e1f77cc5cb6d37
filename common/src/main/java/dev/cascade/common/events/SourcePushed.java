package dev.cascade.common.events;

import java.util.List;
import java.util.Objects;

/**
 * {@code cascade.source.pushed}: commits were pushed to a branch or tag of a git repository.
 *
 * @param repository   canonical repository URL (see {@link dev.cascade.common.git.GitRepository}); the Kafka key
 * @param refType      whether {@code ref} names a branch or a tag
 * @param ref          the short branch or tag name ({@code main}, {@code v1.2.0})
 * @param before       commit the ref pointed at before the push (40 zeros when the ref is new)
 * @param after        commit the ref points at now
 * @param changedPaths paths added, modified or removed by the pushed commits; null when the sender did not report
 *                     them all (GitLab caps the commit list, Bitbucket sends none), so no path filter may apply
 * @param pusher       who pushed, as the sender names them
 * @param sender       the sending system: {@code github}, {@code gitlab}, {@code gitea}, {@code bitbucket}, {@code generic}
 * @param deliveryId   trigger-service's id of the webhook delivery this event came from
 */
public record SourcePushed(
        String repository,
        RefType refType,
        String ref,
        String before,
        String after,
        List<String> changedPaths,
        String pusher,
        String sender,
        String deliveryId) implements CascadeEvent {

    /** Kind of git reference a push updated. */
    public enum RefType { BRANCH, TAG }

    public SourcePushed {
        Objects.requireNonNull(repository, "repository");
        Objects.requireNonNull(refType, "refType");
        Objects.requireNonNull(ref, "ref");
        Objects.requireNonNull(after, "after");
        changedPaths = changedPaths == null ? null : List.copyOf(changedPaths);
    }

    /** The same push, attributed to a webhook delivery. */
    public SourcePushed withDeliveryId(String id) {
        return new SourcePushed(repository, refType, ref, before, after, changedPaths, pusher, sender, id);
    }

    /** Kafka key: every event about one repository lands on one partition, in order. */
    @Override
    public String key() {
        return repository;
    }

    @Override
    public String topic() {
        return Topics.SOURCE;
    }

    @Override
    public String eventType() {
        return EventTypes.SOURCE_PUSHED;
    }

    @Override
    public String subject() {
        return repository;
    }
}
