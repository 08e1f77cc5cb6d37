package dev.cascade.common.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ImageRefTests {

    private static final String D1 = "sha256:" + "a".repeat(64);

    @ParameterizedTest
    @ValueSource(strings = {
            "python:3.12",
            "library/python:3.12",
            "docker.io/library/python:3.12",
            "index.docker.io/library/python:3.12",
            "registry-1.docker.io/library/python:3.12",
            "docker.io/python:3.12",
            "DOCKER.IO/library/python:3.12",
            "  python:3.12  "})
    void dockerHubSpellingsNameOneImage(String reference) {
        ImageRef ref = ImageRef.parse(reference);
        assertThat(ref.registry()).isEqualTo("docker.io");
        assertThat(ref.repository()).isEqualTo("library/python");
        assertThat(ref.tag()).isEqualTo("3.12");
        assertThat(ref.digest()).isNull();
        assertThat(ref).hasToString("docker.io/library/python:3.12");
    }

    @Test
    void userRepositoriesOnDockerHubKeepTheirNamespace() {
        assertThat(ImageRef.parse("bitnami/redis:7").toString()).isEqualTo("docker.io/bitnami/redis:7");
        assertThat(ImageRef.parse("index.docker.io/bitnami/redis:7").toString()).isEqualTo("docker.io/bitnami/redis:7");
    }

    @Test
    void missingTagMeansLatest() {
        assertThat(ImageRef.parse("alpine").toString()).isEqualTo("docker.io/library/alpine:latest");
        assertThat(ImageRef.parse("localhost:5000/team/app").tag()).isEqualTo("latest");
    }

    @ParameterizedTest
    @CsvSource({
            "localhost:5000/base:1,         localhost:5000, base",
            "localhost/base:1,              localhost,      base",
            "127.0.0.1:5000/team/app:1,     127.0.0.1:5000, team/app",
            "Registry.Internal:5000/a/b/c:1, registry.internal:5000, a/b/c",
            "ghcr.io/org/app:1,             ghcr.io,        org/app",
            "quay.io/org/app:1,             quay.io,        org/app",
            "[::1]:5000/app:1,              [::1]:5000,     app"})
    void firstComponentWithDotColonOrLocalhostIsTheRegistry(String reference, String registry, String repository) {
        ImageRef ref = ImageRef.parse(reference);
        assertThat(ref.registry()).isEqualTo(registry);
        assertThat(ref.repository()).isEqualTo(repository);
        assertThat(ref.tag()).isEqualTo("1");
    }

    @Test
    void registryPortIsNotMistakenForATag() {
        ImageRef ref = ImageRef.parse("localhost:5000/app");
        assertThat(ref.registry()).isEqualTo("localhost:5000");
        assertThat(ref.repository()).isEqualTo("app");
        assertThat(ref.tag()).isEqualTo("latest");
    }

    @Test
    void tagAndDigestAreKeptApart() {
        ImageRef tagged = ImageRef.parse("python:3.12");
        ImageRef pinned = ImageRef.parse("python@" + D1);
        ImageRef both = ImageRef.parse("python:3.12@" + D1);

        assertThat(pinned.tag()).isNull();
        assertThat(pinned.digest()).isEqualTo(D1);
        assertThat(pinned.pinned()).isEqualTo("docker.io/library/python@" + D1);
        assertThat(both.tag()).isEqualTo("3.12");
        assertThat(both.digest()).isEqualTo(D1);
        assertThat(tagged).isNotEqualTo(pinned).isNotEqualTo(both);
        assertThat(both.withoutDigest()).isEqualTo(tagged);
        assertThat(tagged.withDigest(D1)).isEqualTo(both);
        assertThat(both.toString()).isEqualTo("docker.io/library/python:3.12@" + D1);
    }

    @Test
    void nameIsTheRegistryAndRepositoryUsedAsKafkaKey() {
        assertThat(ImageRef.parse("localhost:5000/team/app:2@" + D1).name()).isEqualTo("localhost:5000/team/app");
        assertThat(ImageRef.parse("python").taggedName()).isEqualTo("docker.io/library/python:latest");
    }

    @Test
    void registryAliasesNameOneRegistry() {
        RegistryAliases aliases = RegistryAliases.parse("localhost:5000=registry.internal:5000, 127.0.0.1:5000=registry.internal:5000");

        assertThat(ImageRef.parse("localhost:5000/app:1", aliases))
                .isEqualTo(ImageRef.parse("127.0.0.1:5000/app:1", aliases))
                .isEqualTo(ImageRef.parse("registry.internal:5000/app:1", aliases))
                .hasToString("registry.internal:5000/app:1");
        assertThat(ImageRef.parse("localhost:5001/app:1", aliases).registry()).isEqualTo("localhost:5001");
    }

    @Test
    void aliasForDockerHubKeepsLibraryNamespace() {
        RegistryAliases aliases = RegistryAliases.of(Map.of("mirror.local", "docker.io"));
        assertThat(ImageRef.parse("mirror.local/python:3.12", aliases)).hasToString("docker.io/library/python:3.12");
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "",
            "   ",
            "Python:3.12",
            "docker.io/Library/python:3",
            "python:",
            "python:-bad",
            "python:" + "x" + "1234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890",
            "python@sha256:abc",
            "python@sha256:" + "A" + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "python@",
            "https://docker.io/library/python:3",
            "docker.io//python:3",
            "docker.io/",
            "/python:3",
            "py thon:3"})
    void malformedReferencesAreRejectedWithAReason(String reference) {
        assertThatThrownBy(() -> ImageRef.parse(reference))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("null");
    }

    @Test
    void aliasChainsAreRejected() {
        assertThatThrownBy(() -> RegistryAliases.parse("a:1=b:1,b:1=c:1"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("chain");
        assertThatThrownBy(() -> RegistryAliases.parse("nonsense"))
                .hasMessageContaining("alias=canonical");
    }

    @Test
    void blankAliasSpecMeansNone() {
        assertThat(RegistryAliases.parse("  ").asMap()).isEmpty();
        assertThat(RegistryAliases.parse(null).canonical("Localhost:5000")).isEqualTo("localhost:5000");
    }
}
