package dev.cascade.common.git;

import dev.cascade.common.events.SourcePushed.RefType;

/**
 * A branch or tag named the way webhooks name it ({@code refs/heads/main}, {@code refs/tags/v1}) or the
 * way people do ({@code main}): {@code refs/heads/main} is branch {@code main}.
 */
public record GitRef(RefType type, String name) {

    private static final String HEADS = "refs/heads/";
    private static final String TAGS = "refs/tags/";

    public GitRef {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("git ref is empty");
        }
    }

    /** Parses a full ref; a short name is taken as a branch. */
    public static GitRef parse(String ref) {
        if (ref == null || ref.isBlank()) {
            throw new IllegalArgumentException("git ref is empty");
        }
        String r = ref.trim();
        if (r.startsWith(HEADS)) {
            return new GitRef(RefType.BRANCH, r.substring(HEADS.length()));
        }
        if (r.startsWith(TAGS)) {
            return new GitRef(RefType.TAG, r.substring(TAGS.length()));
        }
        if (r.startsWith("refs/")) {
            throw new IllegalArgumentException("not a branch or tag ref: " + ref);
        }
        return new GitRef(RefType.BRANCH, r);
    }

    public static GitRef branch(String name) {
        return new GitRef(RefType.BRANCH, name);
    }

    public static GitRef tag(String name) {
        return new GitRef(RefType.TAG, name);
    }

    /** The full ref name, {@code refs/heads/…} or {@code refs/tags/…}. */
    public String fullName() {
        return (type == RefType.BRANCH ? HEADS : TAGS) + name;
    }

    @Override
    public String toString() {
        return fullName();
    }
}
