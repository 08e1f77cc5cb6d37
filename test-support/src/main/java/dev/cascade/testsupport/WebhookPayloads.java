package dev.cascade.testsupport;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The bodies webhook senders post: real payloads captured from each sender (on the classpath under
 * {@code webhooks/<sender>/}), and the documented shapes of the senders without one, with the values a test
 * changes to make a push new.
 *
 * <p>Where the payloads of the registry senders come from: {@code acr/push.json} is the push event example of
 * Microsoft's "Azure Container Registry webhook reference", whose ids and digest the documentation masks with
 * {@code xxxx} (here {@code 0000}, so the digest is one); {@code artifactory/docker-pushed.json} is the "Docker Tag was
 * Pushed" example of JFrog's webhook documentation (domain docker) inside the envelope every predefined webhook sends
 * ({@code domain}, {@code event_type}, {@code data}, {@code subscription_key}, {@code jpd_origin}, {@code source});
 * {@code nexus/asset.json} is the repository asset example of Sonatype's "Example Headers and Payloads", and
 * {@code nexus/component-docker.json} a repository component event in the documented shape for a docker component
 * (name: the image, version: the tag); {@code github/package-published.json} and
 * {@code github/registry_package-published.json} follow GitHub's documented examples of both events (one package
 * object, under {@code package} or {@code registry_package}), as a container push: the documented examples carry an
 * npm package type, an empty tag and a forty-character digest.
 */
public final class WebhookPayloads {

    /** The commit {@code github/push.json} reports as pushed ({@code after}). */
    public static final String GITHUB_PUSH_COMMIT = "fd489864e7642b48eaad6e3f155c10e46810ec72";
    /** The commit {@code gitlab/push-event.json} reports as pushed. */
    public static final String GITLAB_PUSH_COMMIT = "da1560886d4f094c3e6c9ef40349f7d38b5d27d7";
    /** The commit {@code gitea/push-real.json} reports as pushed. */
    public static final String GITEA_PUSH_COMMIT = "4522cbcefc20728a5b72b3a86af35e608622c514";
    /** The commit {@code bitbucket/push-real.json} reports as pushed. */
    public static final String BITBUCKET_PUSH_COMMIT = "141977fedf5cf35aa290ac87d4b5177ac4cd9de1";
    /** The event id of the one event in {@code distribution/push-manifest-tagged.json}. */
    public static final String DISTRIBUTION_EVENT_ID = "cd9ab2fb-9d06-4b48-961e-8d2d589839cf";
    /** The manifest digest {@code acr/push.json} reports. */
    public static final String ACR_DIGEST = "sha256:0000d5c8786bb9e621a45ece0db00001cdc624ad20da9fe62e9d25490f330000";
    /** The manifest digest (its SHA-256) {@code artifactory/docker-pushed.json} reports. */
    public static final String ARTIFACTORY_DIGEST = "sha256:35c4a2c15539c6c1e4e5fa4e554dac323ad0107d8eb5c582d6ff386b383b7dce";
    /** The digest {@code github/package-published.json} and {@code github/registry_package-published.json} report. */
    public static final String GHCR_PACKAGE_DIGEST = "sha256:3da1996a8115d7616457760d9920b815241d0a03b34cf5f04e9a0e9d8de37498";
    /** The manifest digest {@code distribution/push-manifest-tagged.json} reports. */
    public static final String DISTRIBUTION_DIGEST = "sha256:e83f76d2aac7cc72a6494758244b4f8333a3a30a3af6fef355d4f3a4bb73360e";

    private WebhookPayloads() {
    }

    /** The raw bytes of a captured payload, e.g. {@code github/push.json}. */
    public static byte[] bytes(String name) {
        String resource = "webhooks/" + name;
        try (InputStream in = WebhookPayloads.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A captured payload as text. */
    public static String text(String name) {
        return new String(bytes(name), StandardCharsets.UTF_8);
    }

    /** The OpenShift generic webhook of a push of {@code commit} to ruby-hello-world's master (no sender of it to capture). */
    public static String generic(String commit) {
        return """
                {"type":"Git","git":{"uri":"https://github.com/openshift/ruby-hello-world.git","ref":"refs/heads/master",
                 "commit":"%s","author":{"name":"Jane Doe","email":"jane@example.com"},"message":"Update README"}}
                """.formatted(commit);
    }

    /** Harbor's default-format notification of a push of library/app:latest at {@code digest}, sent at {@code occurAt}. */
    public static String harborPush(long occurAt, String digest) {
        return """
                {"type":"PUSH_ARTIFACT","occur_at":%d,"operator":"admin",
                 "event_data":{
                   "resources":[{"digest":"%s","tag":"latest","resource_url":"harbor.example.com/library/app:latest"}],
                   "repository":{"date_created":1690000000,"name":"app","namespace":"library","repo_full_name":"library/app","repo_type":"public"}}}
                """.formatted(occurAt, digest);
    }

    /** GitHub's package event of a published container version, octo-org/app:v1 at {@code digest}. */
    public static String ghcrPublished(String digest) {
        return """
                {"action":"published",
                 "package":{"id":101,"name":"app","namespace":"octo-org","ecosystem":"CONTAINER","package_type":"CONTAINER",
                   "owner":{"login":"octo-org","type":"Organization"},
                   "package_version":{"id":202,"version":"%1$s","name":"%1$s",
                     "container_metadata":{"tag":{"name":"v1","digest":"%1$s"},"labels":{},"manifest":{}},
                     "package_url":"ghcr.io/octo-org/app:v1"},
                   "registry":{"name":"GitHub Container Registry","type":"docker","url":"https://ghcr.io","vendor":"GitHub Inc"}},
                 "repository":{"full_name":"octo-org/app","clone_url":"https://github.com/octo-org/app.git"},
                 "sender":{"login":"octocat"}}
                """.formatted(digest);
    }

    /**
     * Quay's "push to repository" notification of {@code namespace/name} on quay.io with the tags it updated: all it
     * sends, with nothing that tells two pushes of one tag apart.
     */
    public static String quayPush(String repository, String... tags) {
        String namespace = repository.substring(0, repository.indexOf('/'));
        String name = repository.substring(repository.indexOf('/') + 1);
        String updated = Arrays.stream(tags).map(t -> "\"" + t + "\"").collect(Collectors.joining(","));
        return """
                {"repository":"%1$s","namespace":"%2$s","name":"%3$s",
                 "docker_url":"quay.io/%1$s","homepage":"https://quay.io/repository/%1$s",
                 "updated_tags":[%4$s]}
                """.formatted(repository, namespace, name, updated);
    }

    public static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
