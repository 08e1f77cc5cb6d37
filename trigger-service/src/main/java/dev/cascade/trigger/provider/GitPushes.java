package dev.cascade.trigger.provider;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.common.events.SourcePushed.RefType;
import dev.cascade.common.git.GitRef;
import dev.cascade.common.git.GitRepository;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import dev.cascade.trigger.webhook.ParsedDelivery;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * What the git senders share in reading a push: commit ids, ref and repository normalisation, deletion and
 * {@code [skip ci]} detection, and the union of changed paths. Fields are read with {@link StrictJson}.
 */
final class GitPushes {

    /** The object id git hosts report for a ref that did not exist before, or no longer exists. */
    static final String ZERO_SHA = "0".repeat(40);

    // full object ids only: SHA-1 (40) or SHA-256 (64) repositories
    private static final Pattern FULL_SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    // the generic hook is typed by people and scripts, who may send an abbreviated id git still resolves
    private static final Pattern ANY_SHA = Pattern.compile("[0-9a-f]{7,64}");
    private static final Pattern SKIP_CI = Pattern.compile("\\[(skip ci|ci skip)]", Pattern.CASE_INSENSITIVE);
    // GitHub lists at most 2048 commits per push and at most 3000 files per list of a commit
    private static final int MAX_LISTED_COMMITS = 2048;
    private static final int MAX_LISTED_FILES = 3000;

    private GitPushes() {
    }

    /** A commit as far as the skip decision needs it. */
    record Commit(String id, String message) {
    }

    /** A required full commit id (lower-cased). */
    static String sha(JsonNode root, String pointer) {
        return checkSha(StrictJson.text(root, pointer), pointer, FULL_SHA);
    }

    /** An optional full commit id (lower-cased), null when absent. */
    static String optionalSha(JsonNode root, String pointer) {
        String value = StrictJson.optionalText(root, pointer);
        return value == null || value.isEmpty() ? null : checkSha(value, pointer, FULL_SHA);
    }

    /** A required commit id that may be abbreviated, for hooks that people write by hand. */
    static String abbreviatedSha(JsonNode root, String pointer) {
        return checkSha(StrictJson.text(root, pointer), pointer, ANY_SHA);
    }

    private static String checkSha(String value, String pointer, Pattern shape) {
        String sha = value.trim().toLowerCase(Locale.ROOT);
        if (!shape.matcher(sha).matches()) {
            throw new MalformedWebhookException("field " + pointer + " is not a commit id: " + abbreviate(value));
        }
        return sha;
    }

    /** The canonical URL of a repository the payload names; malformed when it names none. */
    static String repository(String url, String what) {
        if (url == null) {
            throw new MalformedWebhookException("the payload names no repository (" + what + ")");
        }
        try {
            return GitRepository.parse(url).canonicalUrl();
        } catch (RuntimeException e) {
            throw new MalformedWebhookException("repository URL cannot be read: " + e.getMessage());
        }
    }

    /** The canonical URL, or null when the text is not a repository URL: for reading before verification. */
    static String lenientRepository(String url) {
        try {
            return url == null ? null : GitRepository.parse(url).canonicalUrl();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /**
     * A ref as webhooks name it. Null for refs that are neither branch nor tag ({@code refs/pull/1/head},
     * {@code refs/notes/commits}): real, but nothing to build; malformed when it is not a ref at all.
     */
    static GitRef ref(String ref) {
        String r = ref.trim();
        if (r.startsWith("refs/") && !r.startsWith("refs/heads/") && !r.startsWith("refs/tags/")) {
            return null;
        }
        try {
            return GitRef.parse(r);
        } catch (RuntimeException e) {
            throw new MalformedWebhookException("ref '" + abbreviate(ref) + "' cannot be read: " + e.getMessage());
        }
    }

    /** A branch or tag given by type and short name, as Bitbucket does. */
    static GitRef ref(RefType type, String name) {
        try {
            return new GitRef(type, name.trim());
        } catch (RuntimeException e) {
            throw new MalformedWebhookException("ref name cannot be read: " + e.getMessage());
        }
    }

    /** Whether a commit id is the all-zero id hosts use for "no commit". */
    static boolean isZero(String sha) {
        return sha != null && !sha.isEmpty() && sha.chars().allMatch(c -> c == '0');
    }

    /** A key as it is stored (see {@link ParsedDelivery#storableKey}). */
    static String dedupKey(String key) {
        return ParsedDelivery.storableKey(key);
    }

    /**
     * Why a single-ref push starts nothing, or null when it should. Order matters: a deleted ref has no
     * commit whose message could say anything.
     */
    static String whyIgnored(String rawRef, GitRef ref, boolean deleted, Commit head) {
        if (ref == null) {
            return "ref " + abbreviate(rawRef) + " is not a branch or tag";
        }
        if (deleted) {
            return deletedReason(ref);
        }
        if (head != null && skips(ref, head.message())) {
            return skipReason(head.id());
        }
        return null;
    }

    /**
     * Whether a push of {@code ref} whose newest commit says {@code message} asks not to be built. Only
     * branch pushes can: a tag push is a release of a commit already pushed, and release tools put the tag
     * on their own "chore(release): 1.2.0 [skip ci]" commit, whose tag must still build.
     */
    static boolean skips(GitRef ref, String message) {
        return ref.type() == RefType.BRANCH && isSkipCi(message);
    }

    static String deletedReason(GitRef ref) {
        return (ref.type() == RefType.BRANCH ? "branch " : "tag ") + ref.name() + " deleted";
    }

    static String skipReason(String sha) {
        return "commit " + shortSha(sha) + " is marked [skip ci]";
    }

    static String notHandled(String event) {
        return "event '" + abbreviate(event) + "' is not handled";
    }

    private static boolean isSkipCi(String message) {
        return message != null && SKIP_CI.matcher(message).find();
    }

    static String shortSha(String sha) {
        return sha == null ? "(unknown)" : sha.length() > 7 ? sha.substring(0, 7) : sha;
    }

    /**
     * The commit a push leaves the ref at, for its message: the sender's {@code head_commit} when it sends
     * one with a message, else the listed commit whose id is {@code after}, else the last one listed (hosts
     * disagree on the order of {@code commits}, so the id is the reliable way).
     */
    static Commit headCommit(JsonNode root, String after) {
        JsonNode head = root.path("head_commit");
        if (!head.isMissingNode() && !head.isNull() && !head.isObject()) {
            throw new MalformedWebhookException("field /head_commit must be an object, not " + StrictJson.describe(head));
        }
        if (head.isObject()) {
            String message = StrictJson.optionalText(head, "/message");
            if (message != null) {
                String id = StrictJson.optionalText(head, "/id");
                return new Commit(id == null || id.isBlank() ? after : id, message);
            }
        }
        List<JsonNode> commits = commits(root);
        Commit last = null;
        for (JsonNode c : commits) {
            Commit commit = new Commit(StrictJson.optionalText(c, "/id"), StrictJson.optionalText(c, "/message"));
            if (after.equalsIgnoreCase(commit.id() == null ? "" : commit.id())) {
                return commit;
            }
            last = commit;
        }
        return last == null ? null : new Commit(last.id() == null ? after : last.id(), last.message());
    }

    /**
     * Paths added, modified or removed by the listed commits, sorted and distinct; null when they may not be
     * the whole change, so that no path filter judges the push on part of it. That is so
     * <ul>
     * <li>for a new ref: its commits are only those the host had not seen on another ref, not a diff
     * against anything (GitLab CI's {@code rules:changes} is always true there too);</li>
     * <li>when no commit is listed: the ref moved (back, or to a commit already known) without any;</li>
     * <li>when the host lists fewer commits than the count at {@code totalPointer} says were pushed (GitLab
     * and Gitea cap the list), or lists as many as GitHub ever does;</li>
     * <li>when a commit lists no file at all or so many that the host may have cut the list: GitHub leaves
     * the lists empty when a commit is too large to diff in time, and an empty commit is pushed to build.</li>
     * </ul>
     *
     * @param totalPointer where the sender counts all pushed commits, or null when it does not
     */
    static List<String> changedPaths(JsonNode root, String before, String totalPointer) {
        List<JsonNode> commits = commits(root);
        Integer total = totalPointer == null ? null : StrictJson.optionalInt(root, totalPointer);
        boolean complete = before != null && !isZero(before) && (total == null || total <= commits.size())
                && !commits.isEmpty() && commits.size() < MAX_LISTED_COMMITS;
        TreeSet<String> paths = new TreeSet<>();
        for (JsonNode c : commits) {
            int files = 0;
            for (String list : new String[] {"/added", "/modified", "/removed"}) {
                List<JsonNode> entries = StrictJson.array(c, list);
                for (JsonNode p : entries) {
                    if (!p.isTextual()) {
                        throw new MalformedWebhookException("a commit's " + list.substring(1) + " list holds " + StrictJson.describe(p)
                                + ", not a path");
                    }
                    paths.add(p.asText());
                }
                complete &= entries.size() < MAX_LISTED_FILES;
                files += entries.size();
            }
            complete &= files > 0;
        }
        return complete ? List.copyOf(paths) : null;
    }

    /** The {@code commits} list, each entry checked to be an object. */
    static List<JsonNode> commits(JsonNode root) {
        List<JsonNode> commits = StrictJson.array(root, "/commits");
        for (JsonNode c : commits) {
            if (!c.isObject()) {
                throw new MalformedWebhookException("field /commits must hold objects, not " + StrictJson.describe(c));
            }
        }
        return commits;
    }

    /** Client text shortened for messages and reasons, which are stored and logged. */
    static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) + "…" : s;
    }
}
