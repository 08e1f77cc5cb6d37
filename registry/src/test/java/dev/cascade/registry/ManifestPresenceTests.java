package dev.cascade.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cascade.common.hash.Sha256;
import dev.cascade.common.image.ImageRef;
import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.LocalRegistry;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Whether a pushed image is in its registry, as a service asks it: the {@link RegistryClient} bean, configured by
 * {@code cascade.registry.*}, against a real registry that buildah pushes to.
 */
@QuarkusTest
@WithTestResource(LocalRegistryResource.class)
class ManifestPresenceTests {

    static final Duration WAIT = Duration.ofSeconds(30);

    static Buildah buildah;
    static String registry;
    static String pushed;

    @Inject
    RegistryClient client;

    @BeforeAll
    static void push() throws Exception {
        registry = LocalRegistryResource.registry.host();
        buildah = new Buildah(LocalRegistryResource.work.resolve("buildah"));
        Path context = Files.createDirectories(LocalRegistryResource.work.resolve("context"));
        Files.writeString(context.resolve("f"), UUID.randomUUID().toString());
        Files.writeString(context.resolve("Dockerfile"), "FROM scratch\nCOPY f /f\n");
        pushed = buildah.buildAndPush(context, registry + "/team/app:1");
    }

    boolean has(String reference) {
        return client.hasManifest(ImageRef.parse(reference)).await().atMost(WAIT);
    }

    @Test
    void thePushedDigestIsFoundInItsRepository() {
        assertThat(pushed).matches("sha256:[0-9a-f]{64}");
        assertThat(has(registry + "/team/app@" + pushed)).isTrue();
        assertThat(has(registry + "/team/app:1@" + pushed)).isTrue();
    }

    @Test
    void aMadeUpDigestIsNotFound() {
        String madeUp = "sha256:" + Sha256.hex(UUID.randomUUID().toString());
        assertThat(has(registry + "/team/app@" + madeUp)).isFalse();
    }

    @Test
    void thePushedDigestIsNotFoundInARepositoryItWasNotPushedTo() {
        assertThat(has(registry + "/team/other@" + pushed)).isFalse();
    }

    @Test
    void aStoppedRegistryFailsSayingItCannotBeReached() throws Exception {
        LocalRegistry stopped = LocalRegistry.start(LocalRegistryResource.work.resolve("stopped"), null, null);
        stopped.close();
        RegistryClient client = new RegistryClient(Map.of(stopped.host(), URI.create("http://127.0.0.1:" + stopped.port())), Map.of());
        assertThatThrownBy(() -> client.hasManifest(ImageRef.parse(stopped.host() + "/team/app@" + pushed)).await().atMost(WAIT))
                .isInstanceOf(RegistryLookupException.class)
                .hasMessageStartingWith("registry " + stopped.host() + " cannot be reached for " + stopped.host() + "/team/app@" + pushed);
    }
}
