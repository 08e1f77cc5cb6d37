package dev.cascade.trigger.provider;

import static dev.cascade.trigger.provider.ProviderInput.JSON;
import static dev.cascade.trigger.provider.ProviderInput.MAPPER;
import static dev.cascade.trigger.provider.ProviderInput.assertIgnored;
import static dev.cascade.trigger.provider.ProviderInput.bytes;
import static dev.cascade.trigger.provider.ProviderInput.fixture;
import static dev.cascade.trigger.provider.ProviderInput.request;
import static dev.cascade.trigger.provider.ProviderInput.tree;
import static dev.cascade.trigger.provider.ProviderInput.utf8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.common.events.SourcePushed;
import dev.cascade.common.events.SourcePushed.RefType;
import dev.cascade.testsupport.WebhookPayloads;
import dev.cascade.trigger.webhook.Credential;
import dev.cascade.trigger.webhook.MalformedWebhookException;
import dev.cascade.trigger.webhook.ParsedDelivery;
import dev.cascade.trigger.webhook.WebhookRequest;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The git webhook senders against the real payloads captured from them, and against broken ones. */
class GitProvidersTests {

    static final String ZERO = "0".repeat(40);

    static final GitHubProvider GITHUB = new GitHubProvider(MAPPER);
    static final GitLabProvider GITLAB = new GitLabProvider(MAPPER);
    static final GiteaProvider GITEA = new GiteaProvider(MAPPER);
    static final BitbucketProvider BITBUCKET = new BitbucketProvider(MAPPER);
    static final GenericProvider GENERIC = new GenericProvider(MAPPER);

    static SourcePushed onlyPush(ParsedDelivery delivery) {
        assertThat(delivery.ignored()).as("ignored reason").isNull();
        assertThat(delivery.images()).isEmpty();
        assertThat(delivery.pushes()).hasSize(1);
        return delivery.pushes().get(0);
    }

    @Nested
    class GitHub {

        static final String HOOK = "4711";
        static final String DELIVERY = "72d3162e-cc78-11e3-81ab-4c9367dc0958";

        ParsedDelivery parse(String event, byte[] body) {
            return GITHUB.parse(github(event, body));
        }

        WebhookRequest github(String event, byte[] body) {
            return request("github", JSON, body, "X-GitHub-Event", event, "X-GitHub-Hook-ID", HOOK,
                    "X-GitHub-Delivery", DELIVERY);
        }

        @Test
        void describesItselfAsAGitSenderTakingJsonOrForms() {
            assertThat(GITHUB.sender()).isEqualTo("github");
            assertThat(GITHUB.kind()).isEqualTo(WebhookProvider.Kind.GIT);
            assertThat(GITHUB.mediaTypes()).containsExactlyInAnyOrder("application/json", "application/x-www-form-urlencoded");
        }

        @Test
        void pushFixtureBecomesOneBranchPushWithItsChangedPaths() {
            ParsedDelivery d = parse("push", WebhookPayloads.bytes("github/push.json"));
            assertThat(d.eventName()).isEqualTo("push");
            assertThat(d.dedupKey()).isEqualTo(HOOK + ":" + DELIVERY);
            assertThat(d.subject()).isEqualTo("https://github.com/binkkatal/sample_app");
            assertThat(onlyPush(d)).isEqualTo(new SourcePushed("https://github.com/binkkatal/sample_app", RefType.BRANCH,
                    "master", "737d38c599c1b2991664dfc6155d6bf516fcce36", "fd489864e7642b48eaad6e3f155c10e46810ec72",
                    List.of(".razorops.yaml", "app/controllers/application_controller.rb"), "binkkatal", "github", null));
        }

        @Test
        void realPushFixtureReadsTheModifiedReadme() {
            SourcePushed push = onlyPush(parse("push", WebhookPayloads.bytes("github/push-real.json")));
            assertThat(push).isEqualTo(new SourcePushed("https://github.com/Codertocat/Hello-World", RefType.BRANCH,
                    "master", "a10867b14bb761a232cd80139fbd4c0d33264240", "199eddf46df50de8d02e99bf1c5fdb4101338224",
                    List.of("README.md"), "Codertocat", "github", null));
        }

        @Test
        void newTagIsATagPushThatNoPathFilterMayJudge() {
            SourcePushed push = onlyPush(parse("push", WebhookPayloads.bytes("github/push-tag.json")));
            assertThat(push).isEqualTo(new SourcePushed("https://github.com/bradrydzewski/drone-test-go", RefType.TAG,
                    "v0.0.1", ZERO, "d2b75aa7797ec26b088fa2dd527e9d2c052fcedd", null, "bradrydzewski", "github", null));
        }

        @Test
        void pingIsAnsweredAndStartsNothing() {
            ParsedDelivery d = parse("ping", WebhookPayloads.bytes("github/ping.json"));
            assertThat(d.eventName()).isEqualTo("ping");
            assertThat(d.subject()).isNull();
            assertIgnored(d, "ping: nothing to do");
            assertThat(d.dedupKey()).isEqualTo(HOOK + ":" + DELIVERY);
        }

        @Test
        void deleteEventIsNotHandledButKeepsItsRepository() {
            ParsedDelivery d = parse("delete", WebhookPayloads.bytes("github/delete.json"));
            assertIgnored(d, "event 'delete' is not handled");
            assertThat(d.eventName()).isEqualTo("delete");
            assertThat(d.subject()).isEqualTo("https://github.com/baxterthehacker/public-repo");
        }

        @Test
        void deletePayloadSentAsAPushIsMalformed() {
            assertThatThrownBy(() -> parse("push", WebhookPayloads.bytes("github/delete.json")))
                    .isInstanceOf(MalformedWebhookException.class).hasMessageContaining("/after");
        }

        @Test
        void otherEventsAreNotHandled() {
            assertIgnored(parse("pull_request", utf8("{}")), "event 'pull_request' is not handled");
        }

        @Test
        void branchDeletionTriggersNothing() {
            ObjectNode body = fixture("github/push.json");
            body.put("deleted", true).put("after", ZERO).putNull("head_commit");
            body.putArray("commits");
            ParsedDelivery d = parse("push", bytes(body));
            assertIgnored(d, "branch master deleted");
            assertThat(d.subject()).isEqualTo("https://github.com/binkkatal/sample_app");
        }

        @Test
        void tagDeletionTriggersNothing() {
            ObjectNode body = fixture("github/push-tag.json");
            body.put("deleted", true).put("before", "d2b75aa7797ec26b088fa2dd527e9d2c052fcedd").put("after", ZERO)
                    .putNull("head_commit");
            assertIgnored(parse("push", bytes(body)), "tag v0.0.1 deleted");
        }

        @Test
        void zeroAfterAloneMeansDeletion() {
            ObjectNode body = fixture("github/push.json");
            body.put("after", ZERO);
            assertIgnored(parse("push", bytes(body)), "branch master deleted");
        }

        @Test
        void deletedFlagAloneMeansDeletion() {
            ObjectNode body = fixture("github/push.json");
            body.put("deleted", true);
            assertIgnored(parse("push", bytes(body)), "branch master deleted");
        }

        @ParameterizedTest
        @ValueSource(strings = {"docs only [skip ci]", "[ci skip] typo", "Fix typo [SKIP CI]", "line one\n\n[Ci Skip]"})
        void headCommitMarkedSkipCiTriggersNothing(String message) {
            ObjectNode body = fixture("github/push.json");
            ((ObjectNode) body.get("head_commit")).put("message", message);
            assertIgnored(parse("push", bytes(body)), "commit fd48986 is marked [skip ci]");
        }

        @Test
        void tagPushBuildsEvenWhenItsCommitSaysSkipCi() {
            // release tools tag their own "chore(release): x [skip ci]" commit; the release must still build
            ObjectNode body = fixture("github/push-tag.json");
            ((ObjectNode) body.get("head_commit")).put("message", "chore(release): 0.0.1 [skip ci]");
            assertThat(onlyPush(parse("push", bytes(body))).ref()).isEqualTo("v0.0.1");
        }

        @Test
        void withoutAHeadCommitTheLastCommitDecidesSkipCi() {
            ObjectNode body = fixture("github/push.json");
            body.putNull("head_commit");
            ((ObjectNode) body.get("commits").get(0)).put("message", "wip [skip ci]");
            assertIgnored(parse("push", bytes(body)), "commit fd48986 is marked [skip ci]");
        }

        @Test
        void skipCiOnAnEarlierCommitStillBuilds() {
            ObjectNode body = fixture("github/push.json");
            ArrayNode commits = (ArrayNode) body.get("commits");
            ObjectNode earlier = commits.get(0).deepCopy();
            earlier.put("id", "1111111111111111111111111111111111111111").put("message", "[skip ci] earlier")
                    .putArray("added").add("earlier.txt");
            commits.insert(0, earlier);
            SourcePushed push = onlyPush(parse("push", bytes(body)));
            assertThat(push.changedPaths()).containsExactly(".razorops.yaml", "app/controllers/application_controller.rb",
                    "earlier.txt");
        }

        @Test
        void messagesThatOnlyMentionSkippingStillBuild() {
            ObjectNode body = fixture("github/push.json");
            ((ObjectNode) body.get("head_commit")).put("message", "skip ci for docs (no brackets), [skip-ci] is not it");
            assertThat(parse("push", bytes(body)).pushes()).hasSize(1);
        }

        @Test
        void changedPathsAreTheSortedDistinctUnionOverAllCommits() {
            ObjectNode body = fixture("github/push.json");
            ArrayNode commits = (ArrayNode) body.get("commits");
            ObjectNode second = commits.get(0).deepCopy();
            second.put("id", "2222222222222222222222222222222222222222");
            second.putArray("added").add("z/new.txt");
            second.putArray("modified").add(".razorops.yaml");
            second.putArray("removed").add("a/gone.txt");
            commits.add(second);
            assertThat(onlyPush(parse("push", bytes(body))).changedPaths())
                    .containsExactly(".razorops.yaml", "a/gone.txt", "app/controllers/application_controller.rb", "z/new.txt");
        }

        @Test
        void forcePushLeavesChangedPathsUnknown() {
            ObjectNode body = fixture("github/push.json");
            body.put("forced", true);
            assertThat(onlyPush(parse("push", bytes(body))).changedPaths()).isNull();
        }

        @Test
        void aPushListingNoCommitsLeavesChangedPathsUnknown() {
            ObjectNode body = fixture("github/push.json");
            body.putArray("commits");
            assertThat(onlyPush(parse("push", bytes(body))).changedPaths()).isNull();
        }

        @Test
        void aCommitListingNoFilesLeavesChangedPathsUnknown() {
            // GitHub sends empty lists for a commit too large to diff in time; an empty commit is pushed to build
            ObjectNode body = fixture("github/push.json");
            ArrayNode commits = (ArrayNode) body.get("commits");
            ObjectNode empty = commits.addObject().put("id", "3333333333333333333333333333333333333333").put("message", "rebuild");
            empty.putArray("added");
            empty.putArray("modified");
            empty.putArray("removed");
            assertThat(onlyPush(parse("push", bytes(body))).changedPaths()).isNull();
        }

        @Test
        void aCommitListingThousandsOfFilesLeavesChangedPathsUnknown() {
            ObjectNode body = fixture("github/push.json");
            ArrayNode added = ((ObjectNode) body.get("commits").get(0)).putArray("added");
            for (int i = 0; i < 3000; i++) {
                added.add("gen/file" + i);
            }
            assertThat(onlyPush(parse("push", bytes(body))).changedPaths()).isNull();
            added.remove(0);
            assertThat(onlyPush(parse("push", bytes(body))).changedPaths()).hasSize(3000);
        }

        @Test
        void aPushOfAsManyCommitsAsGitHubListsLeavesChangedPathsUnknown() {
            ObjectNode body = fixture("github/push.json");
            ArrayNode commits = (ArrayNode) body.get("commits");
            ObjectNode template = (ObjectNode) commits.get(0);
            while (commits.size() < 2048) {
                commits.insert(0, template.deepCopy().put("id", String.format("%040x", commits.size())));
            }
            assertThat(onlyPush(parse("push", bytes(body))).changedPaths()).isNull();
            commits.remove(0);
            assertThat(onlyPush(parse("push", bytes(body))).changedPaths()).hasSize(2);
        }

        @Test
        void formEncodedBodyIsReadFromItsPayloadField() {
            byte[] json = WebhookPayloads.bytes("github/push.json");
            byte[] form = utf8("foo=bar&payload=" + URLEncoder.encode(new String(json, StandardCharsets.UTF_8), StandardCharsets.UTF_8));
            WebhookRequest request = request("github", "application/x-www-form-urlencoded; charset=utf-8", form,
                    "X-GitHub-Event", "push", "X-GitHub-Hook-ID", HOOK, "X-GitHub-Delivery", DELIVERY);
            assertThat(GITHUB.parse(request)).isEqualTo(parse("push", json));
            assertThat(GITHUB.claimedSubject(request)).isEqualTo("https://github.com/binkkatal/sample_app");
        }

        @Test
        void formWithoutPayloadFieldIsMalformed() {
            WebhookRequest request = request("github", "application/x-www-form-urlencoded", utf8("ref=refs%2Fheads%2Fmain"),
                    "X-GitHub-Event", "push", "X-GitHub-Delivery", DELIVERY);
            assertThatThrownBy(() -> GITHUB.parse(request)).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("payload");
        }

        @Test
        void formWithBrokenEscapesIsMalformed() {
            WebhookRequest request = request("github", "application/x-www-form-urlencoded", utf8("payload=%7B%zz"),
                    "X-GitHub-Event", "push", "X-GitHub-Delivery", DELIVERY);
            assertThatThrownBy(() -> GITHUB.parse(request)).isInstanceOf(MalformedWebhookException.class);
            assertThat(GITHUB.claimedSubject(request)).isNull();
        }

        @Test
        void credentialIsTheSignatureWithoutItsPrefix() {
            WebhookRequest signed = request("github", JSON, utf8("{}"), "X-Hub-Signature-256", "sha256=ABCdef0123");
            assertThat(GITHUB.credential(signed)).isEqualTo(new Credential.HmacSha256("ABCdef0123"));
            assertThat(GITHUB.credential(request("github", JSON, utf8("{}"), "X-Hub-Signature", "sha1=abc")))
                    .isEqualTo(new Credential.Missing("X-Hub-Signature-256"));
        }

        @Test
        void redeliveryKeepsTheDedupKeyAndAnotherDeliveryChangesIt() {
            byte[] body = WebhookPayloads.bytes("github/push.json");
            WebhookRequest other = request("github", JSON, body, "X-GitHub-Event", "push", "X-GitHub-Hook-ID", HOOK,
                    "X-GitHub-Delivery", "another");
            assertThat(parse("push", body).dedupKey()).isEqualTo(parse("push", body).dedupKey());
            assertThat(GITHUB.parse(other).dedupKey()).isEqualTo(HOOK + ":another");
        }

        @Test
        void missingDeliveryIdIsMalformed() {
            WebhookRequest request = request("github", JSON, WebhookPayloads.bytes("github/push.json"), "X-GitHub-Event", "push");
            assertThatThrownBy(() -> GITHUB.parse(request)).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("X-GitHub-Delivery");
        }

        @Test
        void missingEventHeaderIsMalformed() {
            WebhookRequest request = request("github", JSON, WebhookPayloads.bytes("github/push.json"), "X-GitHub-Delivery", DELIVERY);
            assertThatThrownBy(() -> GITHUB.parse(request)).isInstanceOf(MalformedWebhookException.class)
                    .hasMessageContaining("X-GitHub-Event");
        }

        @Test
        void repositoryFallsBackToHtmlUrlThenUrl() {
            ObjectNode body = fixture("github/push.json");
            ObjectNode repo = (ObjectNode) body.get("repository");
            repo.remove("clone_url");
            repo.put("html_url", "https://GitHub.com/binkkatal/from-html/");
            assertThat(onlyPush(parse("push", bytes(body))).repository()).isEqualTo("https://github.com/binkkatal/from-html");
            repo.remove("html_url");
            repo.put("url", "git@github.com:binkkatal/from-url.git");
            assertThat(onlyPush(parse("push", bytes(body))).repository()).isEqualTo("https://github.com/binkkatal/from-url");
            repo.remove("url");
            assertThatThrownBy(() -> parse("push", bytes(body))).isInstanceOf(MalformedWebhookException.class);
        }

        @Test
        void pullRequestRefsTriggerNothing() {
            ObjectNode body = fixture("github/push.json");
            body.put("ref", "refs/pull/7/head");
            assertIgnored(parse("push", bytes(body)), "ref refs/pull/7/head is not a branch or tag");
        }

        @Test
        void hugeRefsAreShortenedInTheStoredReasonAndKey() {
            ObjectNode body = fixture("github/push.json");
            body.put("ref", "refs/notes/" + "n".repeat(10_000));
            ParsedDelivery d = parse("push", bytes(body));
            assertThat(d.ignored()).startsWith("ref refs/notes/nnn").endsWith("… is not a branch or tag").hasSizeLessThan(300);
            WebhookRequest hostile = request("github", JSON, bytes(body), "X-GitHub-Event", "push",
                    "X-GitHub-Delivery", "d".repeat(5_000));
            assertThat(GITHUB.parse(hostile).dedupKey()).startsWith("sha256:").hasSizeLessThanOrEqualTo(512);
        }

        @Test
        void pusherIsOptional() {
            ObjectNode body = fixture("github/push.json");
            body.remove("pusher");
            assertThat(onlyPush(parse("push", bytes(body))).pusher()).isNull();
        }

        @Test
        void claimedSubjectIsReadLenientlyAndCanonically() {
            assertThat(GITHUB.claimedSubject(github("push", WebhookPayloads.bytes("github/push-real.json"))))
                    .isEqualTo("https://github.com/Codertocat/Hello-World");
            assertThat(GITHUB.claimedSubject(github("push", utf8("{\"repository\":{\"clone_url\":5}}")))).isNull();
            assertThat(GITHUB.claimedSubject(github("push", utf8("{\"repository\":{\"clone_url\":\"not a url\"}}")))).isNull();
            assertThat(GITHUB.claimedSubject(github("push", utf8("[1,2]")))).isNull();
            assertThat(GITHUB.claimedSubject(github("push", utf8("{\"ref\":")))).isNull();
            assertThat(GITHUB.claimedSubject(github("push", new byte[0]))).isNull();
        }
    }

    @Nested
    class GitLab {

        static final String KEY = "a1b2c3d4-idempotency";

        ParsedDelivery parse(String event, byte[] body, String... extraHeaders) {
            String[] headers = Stream.concat(Stream.of("X-Gitlab-Event", event), Stream.of(extraHeaders)).toArray(String[]::new);
            return GITLAB.parse(request("gitlab", JSON, body, headers));
        }

        @Test
        void describesItselfAsAGitSenderTakingJson() {
            assertThat(GITLAB.sender()).isEqualTo("gitlab");
            assertThat(GITLAB.kind()).isEqualTo(WebhookProvider.Kind.GIT);
            assertThat(GITLAB.mediaTypes()).containsExactly("application/json");
        }

        @Test
        void pushWithMoreCommitsThanListedHasNoChangedPaths() {
            ParsedDelivery d = parse("Push Hook", WebhookPayloads.bytes("gitlab/push-event.json"), "Idempotency-Key", KEY);
            assertThat(d.eventName()).isEqualTo("Push Hook");
            assertThat(d.dedupKey()).isEqualTo(KEY);
            assertThat(d.subject()).isEqualTo("https://example.com/mike/diaspora");
            // total_commits_count is 4, but only 2 commits are listed
            assertThat(onlyPush(d)).isEqualTo(new SourcePushed("https://example.com/mike/diaspora", RefType.BRANCH, "master",
                    "95790bf891e76fee5e1747ab589903a6a1f80f22", "da1560886d4f094c3e6c9ef40349f7d38b5d27d7", null,
                    "John Smith", "gitlab", null));
        }

        @Test
        void realPushReadsUsernameAndPaths() {
            SourcePushed push = onlyPush(parse("Push Hook", WebhookPayloads.bytes("gitlab/push-real.json")));
            assertThat(push).isEqualTo(new SourcePushed("https://gitlab.com/gitlab-org/hello-world", RefType.BRANCH, "master",
                    "9217710ce8c7e1eae7a5d1c45f6e43e1c769f866", "2adc9465c4edfc33834e173fe89436a7cb899a1d",
                    List.of("README.md"), "sytses", "gitlab", null));
        }

        @Test
        void tagPushIsATagPush() {
            ParsedDelivery d = parse("Tag Push Hook", WebhookPayloads.bytes("gitlab/tag-event.json"));
            assertThat(d.eventName()).isEqualTo("Tag Push Hook");
            assertThat(onlyPush(d)).isEqualTo(new SourcePushed("https://example.com/jsmith/example", RefType.TAG, "v1.0.0",
                    ZERO, "82b3d5ae55f7080f1e6022629cdb57bfae7cccc7", null, "John Smith", "gitlab", null));
        }

        @Test
        void commitListCappedAtTwentyLeavesChangedPathsUnknown() {
            ObjectNode body = fixture("gitlab/push-real.json");
            ArrayNode commits = body.putArray("commits");
            for (int i = 0; i < 20; i++) {
                ObjectNode c = commits.addObject();
                c.put("id", String.format("%040x", i + 1)).put("message", "commit " + i);
                c.putArray("added").add("file" + i);
                c.putArray("modified");
                c.putArray("removed");
            }
            body.put("after", String.format("%040x", 20)).put("checkout_sha", String.format("%040x", 20));
            body.put("total_commits_count", 25);
            assertThat(onlyPush(parse("Push Hook", bytes(body))).changedPaths()).isNull();

            body.put("total_commits_count", 20);
            assertThat(onlyPush(parse("Push Hook", bytes(body))).changedPaths()).hasSize(20).isSorted();
        }

        @Test
        void completeCommitListGivesTheSortedDistinctUnion() {
            ObjectNode body = fixture("gitlab/push-event.json");
            body.put("total_commits_count", 2);
            assertThat(onlyPush(parse("Push Hook", bytes(body))).changedPaths())
                    .containsExactly("CHANGELOG", "app/controller/application.rb");
        }

        @Test
        void withoutIdempotencyKeyTheDedupKeyIsRepositoryRefAndAfter() {
            byte[] body = WebhookPayloads.bytes("gitlab/push-event.json");
            ParsedDelivery first = parse("Push Hook", body, "X-Gitlab-Webhook-UUID", "uuid-1");
            ParsedDelivery retry = parse("Push Hook", body, "X-Gitlab-Webhook-UUID", "uuid-2");
            assertThat(first.dedupKey())
                    .isEqualTo("https://example.com/mike/diaspora:refs/heads/master:da1560886d4f094c3e6c9ef40349f7d38b5d27d7")
                    .isEqualTo(retry.dedupKey());
        }

        @Test
        void branchDeletionTriggersNothing() {
            ObjectNode body = fixture("gitlab/push-real.json");
            body.put("before", "2adc9465c4edfc33834e173fe89436a7cb899a1d").put("after", ZERO).putNull("checkout_sha");
            body.putArray("commits");
            body.put("total_commits_count", 0);
            assertIgnored(parse("Push Hook", bytes(body)), "branch master deleted");
        }

        @Test
        void nullCheckoutShaAloneMeansDeletion() {
            ObjectNode body = fixture("gitlab/tag-event.json");
            body.putNull("checkout_sha");
            assertIgnored(parse("Tag Push Hook", bytes(body)), "tag v1.0.0 deleted");
        }

        @Test
        void missingCheckoutShaIsNotADeletion() {
            ObjectNode body = fixture("gitlab/push-real.json");
            body.remove("checkout_sha");
            assertThat(parse("Push Hook", bytes(body)).pushes()).hasSize(1);
        }

        @Test
        void skipCiOnTheCommitAtAfterTriggersNothing() {
            ObjectNode body = fixture("gitlab/push-event.json");
            // the commit at `after` is the second one listed
            ((ObjectNode) body.get("commits").get(1)).put("message", "fixed readme [ci skip]");
            assertIgnored(parse("Push Hook", bytes(body)), "commit da15608 is marked [skip ci]");
        }

        @Test
        void skipCiOnAnotherCommitStillBuilds() {
            ObjectNode body = fixture("gitlab/push-event.json");
            ((ObjectNode) body.get("commits").get(0)).put("message", "[skip ci] translation");
            assertThat(parse("Push Hook", bytes(body)).pushes()).hasSize(1);
        }

        @Test
        void whenNoListedCommitIsAfterTheLastOneDecidesSkipCi() {
            ObjectNode body = fixture("gitlab/push-event.json");
            body.put("after", "ffffffffffffffffffffffffffffffffffffffff").put("checkout_sha", "ffffffffffffffffffffffffffffffffffffffff");
            ((ObjectNode) body.get("commits").get(1)).put("message", "[SKIP CI]");
            assertIgnored(parse("Push Hook", bytes(body)), "commit da15608 is marked [skip ci]");
        }

        @Test
        void systemHookPushIsAPush() {
            SourcePushed push = onlyPush(parse("System Hook", WebhookPayloads.bytes("gitlab/push-real.json")));
            assertThat(push.repository()).isEqualTo("https://gitlab.com/gitlab-org/hello-world");
            SourcePushed tag = onlyPush(parse("System Hook", WebhookPayloads.bytes("gitlab/tag-event.json")));
            assertThat(tag.refType()).isEqualTo(RefType.TAG);
        }

        @Test
        void systemHookOfAnotherKindIsNotHandled() {
            ParsedDelivery d = parse("System Hook", utf8("{\"object_kind\":\"repository_update\",\"event_name\":\"repository_update\"}"));
            assertIgnored(d, "system hook of kind 'repository_update' is not handled");
            assertIgnored(parse("System Hook", utf8("{\"event_name\":\"project_create\"}")), "system hook of kind '(none)' is not handled");
        }

        @Test
        void otherEventsAreNotHandledAndKeepTheirIdempotencyKey() {
            ParsedDelivery d = parse("Merge Request Hook", utf8("{\"object_kind\":\"merge_request\"}"), "Idempotency-Key", KEY);
            assertIgnored(d, "event 'Merge Request Hook' is not handled");
            assertThat(d.dedupKey()).isEqualTo(KEY);
            ParsedDelivery unkeyed = parse("Note Hook", utf8("{}"));
            assertThat(unkeyed.dedupKey()).isEqualTo(parse("Note Hook", utf8("{}")).dedupKey())
                    .isNotEqualTo(parse("Note Hook", utf8("{ }")).dedupKey());
        }

        @Test
        void credentialIsThePlainToken() {
            assertThat(GITLAB.credential(request("gitlab", JSON, utf8("{}"), "X-Gitlab-Token", "s3cret")))
                    .isEqualTo(new Credential.Token("s3cret"));
            assertThat(GITLAB.credential(request("gitlab", JSON, utf8("{}")))).isEqualTo(new Credential.Missing("X-Gitlab-Token"));
        }

        @Test
        void repositoryFallsBackThroughProjectAndRepositoryFields() {
            ObjectNode body = fixture("gitlab/push-real.json");
            ((ObjectNode) body.get("project")).remove("git_http_url");
            ((ObjectNode) body.get("project")).put("web_url", "https://gitlab.com/gitlab-org/from-web-url");
            assertThat(onlyPush(parse("Push Hook", bytes(body))).repository()).isEqualTo("https://gitlab.com/gitlab-org/from-web-url");
            body.remove("project");
            ((ObjectNode) body.get("repository")).put("git_http_url", "https://gitlab.com/gitlab-org/from-repository.git");
            assertThat(onlyPush(parse("Push Hook", bytes(body))).repository()).isEqualTo("https://gitlab.com/gitlab-org/from-repository");
            ((ObjectNode) body.get("repository")).remove("git_http_url");
            assertThat(onlyPush(parse("Push Hook", bytes(body))).repository()).isEqualTo("https://gitlab.com/gitlab-org/hello-world");
        }

        @Test
        void pusherFallsBackToTheUsersName() {
            ObjectNode body = fixture("gitlab/push-real.json");
            body.remove("user_username");
            assertThat(onlyPush(parse("Push Hook", bytes(body))).pusher()).isEqualTo("Sid Sijbrandij");
        }

        @Test
        void claimedSubjectIsTheCanonicalProjectUrl() {
            assertThat(GITLAB.claimedSubject(request("gitlab", JSON, WebhookPayloads.bytes("gitlab/tag-event.json"))))
                    .isEqualTo("https://example.com/jsmith/example");
            assertThat(GITLAB.claimedSubject(request("gitlab", JSON, utf8("nope")))).isNull();
        }

        @Test
        void missingEventHeaderIsMalformed() {
            assertThatThrownBy(() -> GITLAB.parse(request("gitlab", JSON, WebhookPayloads.bytes("gitlab/push-real.json"))))
                    .isInstanceOf(MalformedWebhookException.class).hasMessageContaining("X-Gitlab-Event");
        }
    }

    @Nested
    class Gitea {

        ParsedDelivery parse(byte[] body, String... headers) {
            String[] all = headers.length == 0 ? new String[] {"X-Gitea-Event", "push"} : headers;
            return GITEA.parse(request("gitea", JSON, body, all));
        }

        @Test
        void describesItselfAsAGitSenderTakingJson() {
            assertThat(GITEA.sender()).isEqualTo("gitea");
            assertThat(GITEA.kind()).isEqualTo(WebhookProvider.Kind.GIT);
            assertThat(GITEA.mediaTypes()).containsExactly("application/json");
        }

        @Test
        void firstPushOfANewBranchHasNoChangedPaths() {
            ParsedDelivery d = parse(WebhookPayloads.bytes("gitea/push-event.json"));
            assertThat(d.eventName()).isEqualTo("push");
            assertThat(d.subject()).isEqualTo("https://localhost:3000/example/example");
            assertThat(d.dedupKey())
                    .isEqualTo("https://localhost:3000/example/example:refs/heads/master:67b56589a45103f891bdee7c0546e5d40bc02001");
            assertThat(onlyPush(d)).isEqualTo(new SourcePushed("https://localhost:3000/example/example", RefType.BRANCH,
                    "master", ZERO, "67b56589a45103f891bdee7c0546e5d40bc02001", null, "example", "gitea", null));
        }

        @Test
        void realPushReadsPathsAndPusherLogin() {
            SourcePushed push = onlyPush(parse(WebhookPayloads.bytes("gitea/push-real.json")));
            assertThat(push).isEqualTo(new SourcePushed("https://try.gitea.io/gogits/hello-world", RefType.BRANCH, "master",
                    "9836a96a253cce25d17988fcf41b8c4205cf779f", "4522cbcefc20728a5b72b3a86af35e608622c514",
                    List.of("README.md"), "unknwon", "gitea", null));
        }

        @Test
        void forgejoEventHeaderIsUnderstood() {
            assertThat(onlyPush(parse(WebhookPayloads.bytes("gitea/push-real.json"), "X-Forgejo-Event", "push")).sender())
                    .isEqualTo("gitea");
        }

        @Test
        void redeliveryWithANewDeliveryIdKeepsTheDedupKey() {
            byte[] body = WebhookPayloads.bytes("gitea/push-real.json");
            assertThat(parse(body, "X-Gitea-Event", "push", "X-Gitea-Delivery", "1").dedupKey())
                    .isEqualTo(parse(body, "X-Gitea-Event", "push", "X-Gitea-Delivery", "2").dedupKey())
                    .isEqualTo("https://try.gitea.io/gogits/hello-world:refs/heads/master:4522cbcefc20728a5b72b3a86af35e608622c514");
        }

        @Test
        void credentialPrefersGiteaThenForgejoThenHubSignature() {
            byte[] body = utf8("{}");
            assertThat(GITEA.credential(request("gitea", JSON, body, "X-Gitea-Signature", "aa", "X-Forgejo-Signature", "bb",
                    "X-Hub-Signature-256", "sha256=cc"))).isEqualTo(new Credential.HmacSha256("aa"));
            assertThat(GITEA.credential(request("gitea", JSON, body, "X-Forgejo-Signature", "bb", "X-Hub-Signature-256", "sha256=cc")))
                    .isEqualTo(new Credential.HmacSha256("bb"));
            assertThat(GITEA.credential(request("gitea", JSON, body, "X-Hub-Signature-256", "sha256=cc")))
                    .isEqualTo(new Credential.HmacSha256("cc"));
            assertThat(GITEA.credential(request("gitea", JSON, body))).isInstanceOf(Credential.Missing.class);
        }

        @Test
        void otherEventsAreNotHandled() {
            assertIgnored(parse(utf8("{\"ref\":\"v1\",\"ref_type\":\"tag\"}"), "X-Gitea-Event", "create"), "event 'create' is not handled");
        }

        @Test
        void branchDeletionTriggersNothing() {
            ObjectNode body = fixture("gitea/push-real.json");
            body.put("before", "4522cbcefc20728a5b72b3a86af35e608622c514").put("after", ZERO).putNull("head_commit");
            body.putArray("commits");
            assertIgnored(parse(bytes(body)), "branch master deleted");
        }

        @Test
        void tagPushIsATagPush() {
            ObjectNode body = fixture("gitea/push-real.json");
            body.put("ref", "refs/tags/v2.0.0");
            SourcePushed push = onlyPush(parse(bytes(body)));
            assertThat(push.refType()).isEqualTo(RefType.TAG);
            assertThat(push.ref()).isEqualTo("v2.0.0");
        }

        @Test
        void headCommitMarkedSkipCiTriggersNothing() {
            ObjectNode body = fixture("gitea/push-event.json");
            ((ObjectNode) body.get("head_commit")).put("message", "example [skip ci]\n");
            assertIgnored(parse(bytes(body)), "commit 67b5658 is marked [skip ci]");
        }

        @Test
        void withAnEmptyHeadCommitTheCommitAtAfterDecidesSkipCi() {
            ObjectNode body = fixture("gitea/push-real.json");
            ((ObjectNode) body.get("commits").get(0)).put("message", "Updated readme [skip ci]\n");
            assertIgnored(parse(bytes(body)), "commit 4522cbc is marked [skip ci]");
        }

        @Test
        void moreCommitsThanListedLeavesChangedPathsUnknown() {
            ObjectNode body = fixture("gitea/push-real.json");
            body.put("total_commits", 9);
            assertThat(onlyPush(parse(bytes(body))).changedPaths()).isNull();
            body.put("total_commits", 1);
            assertThat(onlyPush(parse(bytes(body))).changedPaths()).containsExactly("README.md");
        }

        @Test
        void repositoryFallsBackToHtmlUrlAndPusherToUsername() {
            ObjectNode body = fixture("gitea/push-real.json");
            ((ObjectNode) body.get("repository")).remove("clone_url");
            ((ObjectNode) body.get("pusher")).remove("login");
            SourcePushed push = onlyPush(parse(bytes(body)));
            assertThat(push.repository()).isEqualTo("https://try.gitea.io/gogits/hello-world");
            assertThat(push.pusher()).isEqualTo("unknwon");
        }

        @Test
        void missingEventHeaderIsMalformed() {
            assertThatThrownBy(() -> GITEA.parse(request("gitea", JSON, WebhookPayloads.bytes("gitea/push-real.json"))))
                    .isInstanceOf(MalformedWebhookException.class).hasMessageContaining("X-Gitea-Event");
        }
    }

    @Nested
    class Bitbucket {

        static final String UUID = "5ab0b0e4-2a8e-4b1e-9e4f-000000000001";

        ParsedDelivery parse(byte[] body, String... extraHeaders) {
            String[] headers = Stream.concat(Stream.of("X-Event-Key", "repo:push"), Stream.of(extraHeaders)).toArray(String[]::new);
            return BITBUCKET.parse(request("bitbucket", JSON, body, headers));
        }

        static ObjectNode change(String type, String name, String hash, String oldHash, String message) {
            ObjectNode change = MAPPER.createObjectNode();
            ObjectNode created = change.putObject("new").put("type", type).put("name", name);
            created.putObject("target").put("hash", hash).put("message", message).put("type", "commit");
            if (oldHash == null) {
                change.putNull("old");
            } else {
                change.putObject("old").put("type", type).put("name", name).putObject("target").put("hash", oldHash);
            }
            return change;
        }

        @Test
        void describesItselfAsAGitSenderTakingJson() {
            assertThat(BITBUCKET.sender()).isEqualTo("bitbucket");
            assertThat(BITBUCKET.kind()).isEqualTo(WebhookProvider.Kind.GIT);
            assertThat(BITBUCKET.mediaTypes()).containsExactly("application/json");
        }

        @Test
        void realPushBecomesABranchPushWithoutChangedPaths() {
            ParsedDelivery d = parse(WebhookPayloads.bytes("bitbucket/push-real.json"), "X-Request-UUID", UUID);
            assertThat(d.eventName()).isEqualTo("repo:push");
            assertThat(d.dedupKey()).isEqualTo(UUID);
            assertThat(d.subject()).isEqualTo("https://bitbucket.org/brydzewski/foo");
            assertThat(onlyPush(d)).isEqualTo(new SourcePushed("https://bitbucket.org/brydzewski/foo", RefType.BRANCH, "master",
                    "40e7580cf11311d84a6e5e97e2cbba6df1675750", "141977fedf5cf35aa290ac87d4b5177ac4cd9de1", null,
                    "Brad Rydzewski", "bitbucket", null));
        }

        @Test
        void documentedSamplePushReadsItsHtmlLinkAndNickname() {
            // Atlassian's sample links to api.bitbucket.org; the html link is what the payload says the repository is
            SourcePushed push = onlyPush(parse(WebhookPayloads.bytes("bitbucket/repo-push.json")));
            assertThat(push).isEqualTo(new SourcePushed("https://api.bitbucket.org/bitbucket/bitbucket", RefType.BRANCH,
                    "name-of-branch", "1e65c05c1d5171631d92438a13901ca7dae9618c", "709d658dc5b6d6afcd46049c2f332ee3f515a67d",
                    null, "emmap1", "bitbucket", null));
        }

        @Test
        void branchDeletionTriggersNothing() {
            ParsedDelivery d = parse(WebhookPayloads.bytes("bitbucket/push-branch-delete.json"));
            assertIgnored(d, "branch develop deleted");
            assertThat(d.subject()).isEqualTo("https://bitbucket.org/brydzewski/foo");
            assertThat(d.dedupKey()).isEqualTo("https://bitbucket.org/brydzewski/foo:refs/heads/develop:" + ZERO);
        }

        @Test
        void withoutRequestUuidTheDedupKeyIsRepositoryAndEachRefAndHash() {
            assertThat(parse(WebhookPayloads.bytes("bitbucket/push-real.json")).dedupKey())
                    .isEqualTo("https://bitbucket.org/brydzewski/foo:refs/heads/master:141977fedf5cf35aa290ac87d4b5177ac4cd9de1");
        }

        @Test
        void pingIsAnsweredAndStartsNothing() {
            ParsedDelivery d = BITBUCKET.parse(request("bitbucket", JSON, utf8("{}"), "X-Event-Key", "diagnostics:ping",
                    "X-Request-UUID", UUID));
            assertIgnored(d, "ping");
            assertThat(d.dedupKey()).isEqualTo(UUID);
        }

        @Test
        void otherEventsAreNotHandled() {
            assertIgnored(BITBUCKET.parse(request("bitbucket", JSON, WebhookPayloads.bytes("bitbucket/push-real.json"),
                    "X-Event-Key", "pullrequest:created")), "event 'pullrequest:created' is not handled");
        }

        @Test
        void onePushUpdatingSeveralRefsBecomesOneEventPerSurvivingRef() {
            ObjectNode body = fixture("bitbucket/push-real.json");
            ArrayNode changes = (ArrayNode) body.at("/push/changes");
            changes.add(change("tag", "v1.0.0", "2222222222222222222222222222222222222222", null, "release"));
            changes.add(fixture("bitbucket/push-branch-delete.json").at("/push/changes/0"));
            ParsedDelivery d = parse(bytes(body));
            assertThat(d.ignored()).isNull();
            assertThat(d.pushes()).extracting(SourcePushed::refType, SourcePushed::ref, SourcePushed::before, SourcePushed::after)
                    .containsExactly(
                            tuple(RefType.BRANCH, "master", "40e7580cf11311d84a6e5e97e2cbba6df1675750",
                                    "141977fedf5cf35aa290ac87d4b5177ac4cd9de1"),
                            tuple(RefType.TAG, "v1.0.0", null, "2222222222222222222222222222222222222222"));
            assertThat(d.pushes()).allSatisfy(p -> assertThat(p.changedPaths()).isNull());
            assertThat(d.dedupKey()).isEqualTo("https://bitbucket.org/brydzewski/foo:refs/heads/master:141977fedf5cf35aa290ac87d4b5177ac4cd9de1,"
                    + "refs/tags/v1.0.0:2222222222222222222222222222222222222222,refs/heads/develop:" + ZERO);
        }

        @Test
        void pushOfHundredsOfTagsKeepsItsDedupKeyShortAndStable() {
            ObjectNode body = fixture("bitbucket/push-real.json");
            ArrayNode changes = (ArrayNode) body.at("/push/changes");
            for (int i = 0; i < 300; i++) {
                changes.add(change("tag", "v0." + i, String.format("%040x", i + 1), null, "release"));
            }
            ParsedDelivery d = parse(bytes(body));
            assertThat(d.pushes()).hasSize(301);
            assertThat(d.dedupKey()).startsWith("sha256:").hasSizeLessThanOrEqualTo(512).isEqualTo(parse(bytes(body)).dedupKey());
        }

        @Test
        void skipCiChangeIsDroppedAndTheOthersStillBuild() {
            ObjectNode body = fixture("bitbucket/push-real.json");
            ArrayNode changes = (ArrayNode) body.at("/push/changes");
            changes.add(change("branch", "docs", "3333333333333333333333333333333333333333",
                    "4444444444444444444444444444444444444444", "typo [skip ci]"));
            assertThat(parse(bytes(body)).pushes()).extracting(SourcePushed::ref).containsExactly("master");
        }

        @Test
        void skipCiOnTheOnlyChangeTriggersNothing() {
            ObjectNode body = fixture("bitbucket/push-real.json");
            ((ObjectNode) body.at("/push/changes/0/new/target")).put("message", "Update README [CI SKIP]\n");
            assertIgnored(parse(bytes(body)), "commit 141977f is marked [skip ci]");
        }

        @Test
        void tagPushBuildsEvenWhenItsCommitSaysSkipCi() {
            ObjectNode body = fixture("bitbucket/push-real.json");
            ((ArrayNode) body.at("/push/changes")).set(0, change("tag", "v3.1.0", "5555555555555555555555555555555555555555", null,
                    "chore(release): 3.1.0 [skip ci]"));
            assertThat(onlyPush(parse(bytes(body)))).extracting(SourcePushed::refType, SourcePushed::ref)
                    .containsExactly(RefType.TAG, "v3.1.0");
        }

        @Test
        void skipCiIsReadFromTheSummaryWhenThereIsNoMessage() {
            ObjectNode body = fixture("bitbucket/push-real.json");
            ObjectNode target = (ObjectNode) body.at("/push/changes/0/new/target");
            target.remove("message");
            ((ObjectNode) target.get("summary")).put("raw", "[skip ci] readme");
            assertIgnored(parse(bytes(body)), "commit 141977f is marked [skip ci]");
        }

        @Test
        void mercurialNamedBranchesAreNotBuilt() {
            ObjectNode body = fixture("bitbucket/push-real.json");
            ((ObjectNode) body.at("/push/changes/0/new")).put("type", "named_branch");
            assertIgnored(parse(bytes(body)), "named_branch master is not a branch or tag");
        }

        @Test
        void emptyChangeListTriggersNothing() {
            ObjectNode body = fixture("bitbucket/push-real.json");
            ((ObjectNode) body.get("push")).putArray("changes");
            assertIgnored(parse(bytes(body)), "the push changed no branch or tag");
        }

        @Test
        void repositoryFallsBackToTheFullName() {
            ObjectNode body = fixture("bitbucket/push-real.json");
            ((ObjectNode) body.get("repository")).remove("links");
            assertThat(onlyPush(parse(bytes(body))).repository()).isEqualTo("https://bitbucket.org/brydzewski/foo");
            ((ObjectNode) body.get("repository")).remove("full_name");
            assertThatThrownBy(() -> parse(bytes(body))).isInstanceOf(MalformedWebhookException.class);
        }

        @Test
        void credentialIsTheSignatureWithoutItsPrefix() {
            assertThat(BITBUCKET.credential(request("bitbucket", JSON, utf8("{}"), "X-Hub-Signature", "sha256=0a1b")))
                    .isEqualTo(new Credential.HmacSha256("0a1b"));
            assertThat(BITBUCKET.credential(request("bitbucket", JSON, utf8("{}")))).isEqualTo(new Credential.Missing("X-Hub-Signature"));
        }

        @Test
        void claimedSubjectIsTheCanonicalHtmlLink() {
            assertThat(BITBUCKET.claimedSubject(request("bitbucket", JSON, WebhookPayloads.bytes("bitbucket/push-branch-delete.json"))))
                    .isEqualTo("https://bitbucket.org/brydzewski/foo");
        }

        @Test
        void changeWithNeitherSideIsMalformed() {
            ObjectNode body = fixture("bitbucket/push-real.json");
            ObjectNode c = (ObjectNode) body.at("/push/changes/0");
            c.putNull("new");
            c.putNull("old");
            assertThatThrownBy(() -> parse(bytes(body))).isInstanceOf(MalformedWebhookException.class);
        }

        @Test
        void missingEventHeaderIsMalformed() {
            assertThatThrownBy(() -> BITBUCKET.parse(request("bitbucket", JSON, WebhookPayloads.bytes("bitbucket/push-real.json"))))
                    .isInstanceOf(MalformedWebhookException.class).hasMessageContaining("X-Event-Key");
        }
    }

    @Nested
    class Generic {

        static final String SHA = "9a3f1c2b7d4e5f60718293a4b5c6d7e8f9012345";

        ParsedDelivery parse(String contentType, String body) {
            return GENERIC.parse(new WebhookRequest("generic", Map.of("Content-Type", List.of(contentType)), utf8(body), "s3cret-in-path"));
        }

        String json(String ref) {
            return "{\"type\":\"Git\",\"git\":{\"uri\":\"git@github.com:o/r.git\",\"ref\":\"" + ref + "\",\"commit\":\"" + SHA
                    + "\",\"author\":{\"name\":\"Alice\",\"email\":\"alice@example.com\"},\"message\":\"Fix the build\"}}";
        }

        @Test
        void describesItselfAsAGitSenderTakingJsonOrYaml() {
            assertThat(GENERIC.sender()).isEqualTo("generic");
            assertThat(GENERIC.kind()).isEqualTo(WebhookProvider.Kind.GIT);
            assertThat(GENERIC.mediaTypes()).containsExactlyInAnyOrder("application/json", "application/yaml",
                    "application/x-yaml", "text/yaml");
        }

        @Test
        void jsonBodyBecomesABranchPush() {
            ParsedDelivery d = parse(JSON, json("refs/heads/main"));
            assertThat(d.eventName()).isEqualTo("Git");
            assertThat(d.subject()).isEqualTo("https://github.com/o/r");
            assertThat(d.dedupKey()).isEqualTo("https://github.com/o/r:refs/heads/main:" + SHA);
            assertThat(onlyPush(d)).isEqualTo(new SourcePushed("https://github.com/o/r", RefType.BRANCH, "main", null, SHA,
                    null, "Alice", "generic", null));
        }

        @Test
        void shortRefIsABranchAndDeduplicatesWithItsFullName() {
            ParsedDelivery d = parse(JSON, json("main"));
            assertThat(onlyPush(d).ref()).isEqualTo("main");
            assertThat(d.dedupKey()).isEqualTo(parse(JSON, json("refs/heads/main")).dedupKey());
        }

        @Test
        void tagRefIsATagPush() {
            SourcePushed push = onlyPush(parse(JSON, json("refs/tags/v1.2.0")));
            assertThat(push.refType()).isEqualTo(RefType.TAG);
            assertThat(push.ref()).isEqualTo("v1.2.0");
        }

        @ParameterizedTest
        @ValueSource(strings = {"application/yaml", "application/x-yaml", "text/yaml", "text/yaml; charset=utf-8"})
        void yamlBodyReadsLikeJson(String contentType) {
            String yaml = """
                    type: Git
                    git:
                      uri: https://git.example.com/team/app.git
                      ref: refs/heads/release
                      commit: %s
                      author:
                        name: Bob
                        email: bob@example.com
                      message: |
                        Release it
                    """.formatted(SHA);
            SourcePushed push = onlyPush(parse(contentType, yaml));
            assertThat(push).isEqualTo(new SourcePushed("https://git.example.com/team/app", RefType.BRANCH, "release", null, SHA,
                    null, "Bob", "generic", null));
        }

        @Test
        void yamlCommitIdsThatLookLikeNumbersKeepTheirDigits() {
            assertThat(onlyPush(parse("application/yaml", "type: Git\ngit: {uri: 'file:///srv/git/app.git', ref: main, commit: 0123456}\n"))
                    .after()).isEqualTo("0123456");
            assertThat(onlyPush(parse("application/yaml", "type: Git\ngit: {uri: /srv/git/app, ref: main, commit: 1234567}\n")))
                    .extracting(SourcePushed::repository, SourcePushed::after).containsExactly("file:///srv/git/app", "1234567");
        }

        @Test
        void typeIsCaseInsensitive() {
            assertThat(parse(JSON, json("main").replace("\"Git\"", "\"git\"")).pushes()).hasSize(1);
        }

        @Test
        void otherTypesAreNotHandled() {
            ParsedDelivery d = parse(JSON, json("main").replace("\"Git\"", "\"Image\""));
            assertIgnored(d, "type 'Image' is not handled");
            assertThat(d.subject()).isEqualTo("https://github.com/o/r");
            assertIgnored(parse(JSON, "{\"git\":{}}"), "no type: only type Git is handled");
        }

        @Test
        void missingCommitIsMalformed() {
            assertThatThrownBy(() -> parse(JSON, "{\"type\":\"Git\",\"git\":{\"uri\":\"https://h/o/r\",\"ref\":\"main\"}}"))
                    .isInstanceOf(MalformedWebhookException.class).hasMessage("git.commit is required");
            assertThatThrownBy(() -> parse("application/yaml", "type: Git\ngit:\n  uri: https://h/o/r\n  ref: main\n  commit:\n"))
                    .isInstanceOf(MalformedWebhookException.class).hasMessage("git.commit is required");
        }

        @Test
        void missingUriOrRefIsMalformed() {
            assertThatThrownBy(() -> parse(JSON, "{\"type\":\"Git\",\"git\":{\"ref\":\"main\",\"commit\":\"" + SHA + "\"}}"))
                    .isInstanceOf(MalformedWebhookException.class).hasMessage("git.uri is required");
            assertThatThrownBy(() -> parse(JSON, "{\"type\":\"Git\",\"git\":{\"uri\":\"https://h/o/r\",\"commit\":\"" + SHA + "\"}}"))
                    .isInstanceOf(MalformedWebhookException.class).hasMessage("git.ref is required");
            assertThatThrownBy(() -> parse(JSON, "{\"type\":\"Git\"}")).isInstanceOf(MalformedWebhookException.class);
        }

        @Test
        void commitThatIsNoCommitIdIsMalformed() {
            assertThatThrownBy(() -> parse(JSON, json("main").replace(SHA, "HEAD; rm -rf /")))
                    .isInstanceOf(MalformedWebhookException.class).hasMessageContaining("not a commit id");
        }

        @Test
        void skipCiMessageTriggersNothing() {
            assertIgnored(parse(JSON, json("main").replace("Fix the build", "Docs [skip ci]")), "commit 9a3f1c2 is marked [skip ci]");
        }

        @Test
        void skipCiOnATagStillBuilds() {
            assertThat(parse(JSON, json("refs/tags/v1").replace("Fix the build", "Release [skip ci]")).pushes()).hasSize(1);
        }

        @Test
        void credentialIsTheSecretFromThePath() {
            WebhookRequest withSecret = new WebhookRequest("generic", Map.of(), new byte[0], "s3cret-in-path");
            assertThat(GENERIC.credential(withSecret)).isEqualTo(new Credential.Token("s3cret-in-path"));
            WebhookRequest without = new WebhookRequest("generic", Map.of(), new byte[0], null);
            assertThat(GENERIC.credential(without)).isEqualTo(new Credential.Missing("secret in the URL"));
        }

        @Test
        void claimedSubjectIsReadFromJsonOrYaml() {
            assertThat(GENERIC.claimedSubject(request("generic", JSON, utf8(json("main"))))).isEqualTo("https://github.com/o/r");
            assertThat(GENERIC.claimedSubject(request("generic", "application/yaml", utf8("git:\n  uri: ssh://git@Example.com/a/b.git\n"))))
                    .isEqualTo("https://example.com/a/b");
            assertThat(GENERIC.claimedSubject(request("generic", "application/yaml", utf8("git: [")))).isNull();
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "git: [unclosed", "- a\n- b\n", "just text", "type: Git\ngit: [1, 2]\n", "~",
                "type: Git\ngit:\n  uri: https://h/o/r\n  ref: main\n  commit: !!binary aGVsbG8=\n",
                "type: Git\ngit:\n  uri: {a: 1}\n  ref: main\n  commit: 0123456\n"})
        void brokenYamlIsMalformed(String yaml) {
            assertThatThrownBy(() -> parse("application/yaml", yaml)).isInstanceOf(MalformedWebhookException.class);
        }

        @Test
        void deeplyNestedYamlIsMalformedNotAStackOverflow() {
            String deep = "[".repeat(5000) + "]".repeat(5000);
            assertThatThrownBy(() -> parse("application/yaml", "type: Git\ngit: " + deep + "\n"))
                    .isInstanceOf(MalformedWebhookException.class);
        }
    }

    /** Every provider, every git fixture, broken in every way we could think of: MalformedWebhookException or a result, nothing else. */
    @Nested
    class BrokenInput {

        /** A provider with the headers that make it read a body as a push. */
        record Sender(WebhookProvider provider, String fixture, String contentType, String... headers) {

            WebhookRequest with(byte[] body) {
                return request(provider.sender(), contentType, body, headers);
            }

            ParsedDelivery parse(byte[] body) {
                return provider.parse(with(body));
            }

            @Override
            public String toString() {
                return provider.sender() + " " + fixture;
            }
        }

        static final String GENERIC_JSON = "{\"type\":\"Git\",\"git\":{\"uri\":\"https://git.example.com/o/r.git\","
                + "\"ref\":\"refs/heads/main\",\"commit\":\"9a3f1c2b7d4e5f60718293a4b5c6d7e8f9012345\","
                + "\"author\":{\"name\":\"Alice\"},\"message\":\"m\"}}";

        static List<Sender> senders() {
            List<Sender> all = new ArrayList<>();
            for (String f : List.of("github/push.json", "github/push-real.json", "github/push-tag.json")) {
                all.add(new Sender(GITHUB, f, JSON, "X-GitHub-Event", "push", "X-GitHub-Delivery", "d-1"));
            }
            for (String f : List.of("gitlab/push-event.json", "gitlab/push-real.json", "gitlab/tag-event.json")) {
                all.add(new Sender(GITLAB, f, JSON, "X-Gitlab-Event", "Push Hook"));
            }
            for (String f : List.of("gitea/push-event.json", "gitea/push-real.json")) {
                all.add(new Sender(GITEA, f, JSON, "X-Gitea-Event", "push"));
            }
            for (String f : List.of("bitbucket/push-real.json", "bitbucket/repo-push.json", "bitbucket/push-branch-delete.json")) {
                all.add(new Sender(BITBUCKET, f, JSON, "X-Event-Key", "repo:push"));
            }
            all.add(new Sender(GENERIC, null, JSON));
            return all;
        }

        static Stream<Sender> eachSender() {
            return senders().stream();
        }

        static Stream<Arguments> eachSenderAndBrokenBody() {
            List<String> notAnObject = List.of("", " ", "{", "{\"ref\":", "[]", "[{\"ref\":\"refs/heads/main\"}]", "null", "5",
                    "\"push\"", "true", "\u0000\u0001", "\u00ff\u00fe{");
            // objects without a type are no Git hook for the generic sender: ignored, as its own tests show
            List<String> noRepository = List.of("{} {", "{\"ref\":\"refs/heads/main\"}", "{\"repository\":5}");
            return senders().stream().flatMap(s -> Stream.concat(notAnObject.stream(),
                    s.provider() == GENERIC ? Stream.empty() : noRepository.stream()).map(b -> Arguments.of(s, b)));
        }

        static ObjectNode body(Sender s) {
            return (ObjectNode) tree(original(s));
        }

        static byte[] original(Sender s) {
            return s.fixture() == null ? utf8(GENERIC_JSON) : WebhookPayloads.bytes(s.fixture());
        }

        /** Where each sender keeps the ref, in its fixtures. */
        static String refPointer(Sender s) {
            return switch (s.provider().sender()) {
                case "bitbucket" -> s.fixture().contains("delete") ? "/push/changes/0/old/name" : "/push/changes/0/new/name";
                case "generic" -> "/git/ref";
                default -> "/ref";
            };
        }

        static void set(ObjectNode root, String pointer, JsonNode value) {
            int slash = pointer.lastIndexOf('/');
            JsonNode parent = root.at(pointer.substring(0, slash));
            String last = pointer.substring(slash + 1);
            if (parent instanceof ObjectNode o) {
                if (value == null) {
                    o.remove(last);
                } else {
                    o.set(last, value);
                }
            } else if (parent instanceof ArrayNode a) {
                if (value == null) {
                    a.remove(Integer.parseInt(last));
                } else {
                    a.set(Integer.parseInt(last), value);
                }
            }
        }

        static void assertMalformed(Sender s, byte[] body) {
            assertThatThrownBy(() -> s.parse(body)).as(s + " with " + new String(body, StandardCharsets.UTF_8))
                    .isInstanceOf(MalformedWebhookException.class);
        }

        @ParameterizedTest(name = "{0}: {1}")
        @MethodSource("eachSenderAndBrokenBody")
        void brokenBodiesAreMalformed(Sender s, String body) {
            assertMalformed(s, utf8(body));
            assertThat(s.provider().claimedSubject(s.with(utf8(body)))).isNull();
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("eachSender")
        void fixturesAreReadWithoutError(Sender s) {
            ParsedDelivery d = s.parse(original(s));
            assertThat(d.subject()).startsWith("https://");
            assertThat(d.pushes()).allSatisfy(p -> {
                assertThat(p.sender()).isEqualTo(s.provider().sender());
                assertThat(p.deliveryId()).isNull();
                assertThat(p.repository()).isEqualTo(d.subject());
            });
            assertThat(s.provider().claimedSubject(s.with(original(s)))).isEqualTo(d.subject());
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("eachSender")
        void truncatedBodiesAreMalformed(Sender s) {
            byte[] full = original(s);
            for (int cut = 0; cut < full.length - 2; cut += Math.max(1, full.length / 200)) {
                byte[] truncated = java.util.Arrays.copyOf(full, cut);
                assertMalformed(s, truncated);
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("eachSender")
        void missingRefIsMalformed(Sender s) {
            ObjectNode body = body(s);
            set(body, refPointer(s), null);
            assertMalformed(s, bytes(body));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("eachSender")
        void refOfTheWrongTypeIsMalformed(Sender s) {
            for (JsonNode wrong : List.<JsonNode>of(MAPPER.getNodeFactory().numberNode(5), MAPPER.getNodeFactory().booleanNode(true),
                    MAPPER.createObjectNode(), MAPPER.createArrayNode().add("refs/heads/main"), MAPPER.getNodeFactory().textNode(""),
                    MAPPER.getNodeFactory().textNode("   "))) {
                ObjectNode body = body(s);
                set(body, refPointer(s), wrong);
                assertMalformed(s, bytes(body));
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("eachSender")
        void repositoryOfTheWrongTypeIsMalformed(Sender s) {
            for (JsonNode wrong : List.<JsonNode>of(MAPPER.getNodeFactory().numberNode(5), MAPPER.getNodeFactory().textNode("x"),
                    MAPPER.createArrayNode())) {
                ObjectNode body = body(s);
                set(body, s.provider() == GENERIC ? "/git/uri" : "/repository", wrong);
                if (s.provider() == GITLAB) {
                    body.remove("project");
                }
                assertMalformed(s, bytes(body));
            }
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("eachSender")
        void commitIdsThatAreNotCommitIdsAreMalformed(Sender s) {
            if (s.fixture() != null && s.fixture().contains("delete")) {
                return; // a deletion names no new commit to check
            }
            String pointer = switch (s.provider().sender()) {
                case "bitbucket" -> "/push/changes/0/new/target/hash";
                case "generic" -> "/git/commit";
                default -> "/after";
            };
            for (JsonNode wrong : List.<JsonNode>of(MAPPER.getNodeFactory().numberNode(5), MAPPER.getNodeFactory().textNode("zzz"),
                    MAPPER.getNodeFactory().textNode("--upload-pack=touch /tmp/pwned"), MAPPER.createObjectNode())) {
                ObjectNode body = body(s);
                set(body, pointer, wrong);
                assertMalformed(s, bytes(body));
            }
        }

        /**
         * Every field of every fixture replaced by each value of another type, and removed: whatever the
         * provider makes of it, it answers with a delivery or a MalformedWebhookException.
         */
        @ParameterizedTest(name = "{0}")
        @MethodSource("eachSender")
        void noFieldOfAnyTypeMakesAProviderFailOtherwise(Sender s) {
            List<JsonNode> replacements = List.of(MAPPER.getNodeFactory().numberNode(5), MAPPER.getNodeFactory().numberNode(1.5),
                    MAPPER.getNodeFactory().textNode("x"), MAPPER.getNodeFactory().textNode(""), MAPPER.getNodeFactory().booleanNode(true),
                    MAPPER.getNodeFactory().nullNode(), MAPPER.createObjectNode(), MAPPER.createArrayNode(),
                    MAPPER.createArrayNode().add(5), MAPPER.getNodeFactory().textNode(ZERO));
            List<String> pointers = new ArrayList<>();
            collectPointers(body(s), "", pointers);
            int attempts = 0;
            for (String pointer : pointers) {
                List<JsonNode> variants = new ArrayList<>(replacements);
                variants.add(null);
                for (JsonNode replacement : variants) {
                    ObjectNode body = body(s);
                    set(body, pointer, replacement);
                    byte[] bytes = bytes(body);
                    try {
                        ParsedDelivery d = s.parse(bytes);
                        assertThat(d.dedupKey()).isNotBlank();
                        assertThat(d.pushes().isEmpty()).isEqualTo(d.ignored() != null);
                    } catch (MalformedWebhookException expected) {
                        assertThat(expected.getMessage()).isNotBlank();
                    }
                    s.provider().claimedSubject(s.with(bytes));
                    attempts++;
                }
            }
            assertThat(attempts).isGreaterThan(10);
        }

        private void collectPointers(JsonNode node, String at, List<String> out) {
            if (node.isObject()) {
                node.fieldNames().forEachRemaining(name -> {
                    String p = at + "/" + name.replace("~", "~0").replace("/", "~1");
                    out.add(p);
                    collectPointers(node.get(name), p, out);
                });
            } else if (node.isArray()) {
                for (int i = 0; i < node.size(); i++) {
                    String p = at + "/" + i;
                    out.add(p);
                    collectPointers(node.get(i), p, out);
                }
            }
        }
    }
}
