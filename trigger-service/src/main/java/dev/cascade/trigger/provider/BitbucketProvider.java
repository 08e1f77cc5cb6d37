package dev.cascade.trigger.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.common.events.SourcePushed;
import dev.cascade.common.events.SourcePushed.RefType;
import dev.cascade.common.git.GitRef;
import dev.cascade.trigger.webhook.Credential;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import dev.cascade.trigger.webhook.ParsedDelivery;
import dev.cascade.trigger.webhook.WebhookRequest;
import io.quarkus.logging.Log;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Bitbucket Cloud {@code repo:push} webhooks: one push may update several branches and tags. */
@Singleton
public class BitbucketProvider extends GitSender {

    public BitbucketProvider(ObjectMapper mapper) {
        super(mapper, "bitbucket", Set.of("application/json"));
    }

    @Override
    public Credential credential(WebhookRequest request) {
        return Credentials.hmacHeader(request, "X-Hub-Signature");
    }

    @Override
    public ParsedDelivery parse(WebhookRequest request) throws MalformedWebhookException {
        String event = request.header("X-Event-Key");
        if (event == null || event.isBlank()) {
            throw new MalformedWebhookException("X-Event-Key header is missing");
        }
        String requestId = request.header("X-Request-UUID");
        boolean keyed = requestId != null && !requestId.isBlank();
        if (keyed) {
            requestId = GitPushes.dedupKey(requestId);
        }
        if (event.equals("diagnostics:ping")) {
            return ParsedDelivery.ignored(event, keyed ? requestId : bodyKey(event, request.body()),
                    claimedSubject(request), "ping");
        }
        if (!event.equals("repo:push")) {
            return ParsedDelivery.ignored(event, keyed ? requestId : bodyKey(event, request.body()),
                    claimedSubject(request), GitPushes.notHandled(event));
        }

        JsonNode root = object(request);
        String repository = GitPushes.repository(repositoryUrl(root), "repository.links.html.href");
        JsonNode changes = root.at("/push/changes");
        if (!changes.isArray()) {
            throw new MalformedWebhookException("field /push/changes must be an array");
        }
        String pusher = pusher(root);

        List<SourcePushed> pushes = new ArrayList<>();
        List<String> ignored = new ArrayList<>();
        List<String> keyParts = new ArrayList<>();
        for (JsonNode change : changes) {
            if (!change.isObject()) {
                throw new MalformedWebhookException("field /push/changes must hold objects");
            }
            JsonNode created = change.path("new");
            if (created.isMissingNode() || created.isNull()) {
                // Bitbucket reports a deleted branch or tag as a change with no new state
                JsonNode old = change.path("old");
                if (old.isMissingNode() || old.isNull()) {
                    throw new MalformedWebhookException("a change in /push/changes has neither new nor old");
                }
                GitRef gone = side(change, "/old");
                String name = gone == null ? StrictJson.text(change, "/old/name") : gone.fullName();
                keyParts.add(name + ":" + GitPushes.ZERO_SHA);
                ignored.add(gone == null ? name + " deleted" : GitPushes.deletedReason(gone));
                continue;
            }
            GitRef ref = side(change, "/new");
            String after = GitPushes.sha(change, "/new/target/hash");
            keyParts.add((ref == null ? StrictJson.text(change, "/new/name") : ref.fullName()) + ":" + after);
            if (ref == null) {
                ignored.add(GitPushes.abbreviate(StrictJson.text(change, "/new/type") + " " + StrictJson.text(change, "/new/name"))
                        + " is not a branch or tag");
                continue;
            }
            String message = StrictJson.firstText(change, "/new/target/message", "/new/target/summary/raw");
            if (GitPushes.skips(ref, message)) {
                ignored.add(GitPushes.skipReason(after));
                continue;
            }
            String before = GitPushes.optionalSha(change, "/old/target/hash");
            // Bitbucket never lists the files a push changed, so no path filter may apply
            pushes.add(new SourcePushed(repository, ref.type(), ref.name(), before, after, null, pusher, sender(), null));
        }
        String dedupKey = keyed ? requestId : GitPushes.dedupKey(repository + ":" + String.join(",", keyParts));
        if (pushes.isEmpty()) {
            String why = ignored.isEmpty() ? "the push changed no branch or tag" : GitPushes.abbreviate(String.join("; ", ignored));
            Log.debugf("bitbucket push to %s ignored: %s", repository, why);
            return ParsedDelivery.ignored(event, dedupKey, repository, why);
        }
        if (!ignored.isEmpty()) {
            Log.debugf("bitbucket push to %s: some changes start nothing: %s", repository, String.join("; ", ignored));
        }
        return ParsedDelivery.pushes(event, dedupKey, repository, pushes);
    }

    /**
     * The branch or tag one side ({@code /new} or {@code /old}) of a change names; null when the side is
     * absent or names another kind of ref (Mercurial's named branches and bookmarks share the payload shape).
     */
    private static GitRef side(JsonNode change, String side) {
        JsonNode node = change.at(side);
        if (node.isMissingNode() || node.isNull()) {
            return null;
        }
        if (!node.isObject()) {
            throw new MalformedWebhookException("field " + side + " of a change must be an object");
        }
        String type = StrictJson.text(change, side + "/type");
        String name = StrictJson.text(change, side + "/name");
        return switch (type) {
            case "branch" -> GitPushes.ref(RefType.BRANCH, name);
            case "tag" -> GitPushes.ref(RefType.TAG, name);
            default -> null;
        };
    }

    @Override
    String pusher(JsonNode root) {
        return StrictJson.firstText(root, "/actor/nickname", "/actor/display_name");
    }

    /** The repository's web address; the payload has no clone URL. */
    @Override
    String repositoryUrl(JsonNode root) {
        String html = StrictJson.firstText(root, "/repository/links/html/href");
        if (html != null) {
            return html;
        }
        String fullName = StrictJson.firstText(root, "/repository/full_name");
        return fullName == null ? null : "https://bitbucket.org/" + fullName;
    }
}
