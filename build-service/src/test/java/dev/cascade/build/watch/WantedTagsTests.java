package dev.cascade.build.watch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.build.deploy.DeployServiceClient.Follow;
import dev.cascade.build.deploy.DeployServiceClient.WatchedWorkload;
import dev.cascade.build.watch.WantedTags.Edge;
import dev.cascade.common.image.RegistryAliases;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which tags are watched, and for whom: what the graph builds on and workloads follow, except what Cascade builds. */
class WantedTagsTests {

    static final RegistryAliases ALIASES = RegistryAliases.parse("127.0.0.1:5000=registry.internal:5000");

    @Test
    void basesBuildersAndFollowedTagsAreWatchedUnderTheirCanonicalNamesWithWhoNeedsThem() {
        Map<String, WatchedFor> wanted = WantedTags.of(
                List.of(new Edge("app", "docker.io/library/debian:bookworm", false, false),
                        new Edge("mid1", "docker.io/library/debian:bookworm", false, false),
                        new Edge("s2i-app", "quay.io/team/builder:1", true, false)),
                Set.of(),
                List.of(new WatchedWorkload("team-a", "Deployment", "web", List.of(
                        new Follow("debian:bookworm", "web", "digest"),
                        new Follow("127.0.0.1:5000/team/api:2", "api", null)))),
                ALIASES);

        assertThat(wanted).containsOnlyKeys("docker.io/library/debian:bookworm", "quay.io/team/builder:1",
                "registry.internal:5000/team/api:2");
        assertThat(wanted.get("docker.io/library/debian:bookworm"))
                .isEqualTo(new WatchedFor(List.of("app", "mid1"), List.of(), List.of("team-a/Deployment/web")));
        assertThat(wanted.get("quay.io/team/builder:1")).isEqualTo(new WatchedFor(List.of(), List.of("s2i-app"), List.of()));
        assertThat(wanted.get("registry.internal:5000/team/api:2").workloads()).containsExactly("team-a/Deployment/web");
    }

    @Test
    void tagsBuiltByAConfigDigestReferencesAndVersionOrPatternFollowsAreNotWatched() {
        Map<String, WatchedFor> wanted = WantedTags.of(
                List.of(new Edge("app", "registry.internal:5000/team/base:1", false, false),
                        new Edge("s2i-pinned", "quay.io/team/builder:latest", true, true),
                        new Edge("app", "docker.io/library/alpine:3", false, false)),
                Set.of("registry.internal:5000/team/base:1"),
                List.of(new WatchedWorkload("team-a", "Deployment", "web", List.of(
                        new Follow("docker.io/library/nginx@sha256:" + "a".repeat(64), "web", "digest"),
                        new Follow("ghcr.io/team/api:1.2.0", "api", "semver"),
                        new Follow("ghcr.io/team/job:release-*", "job", "glob"),
                        new Follow("127.0.0.1:5000/team/base:1", "base", "digest")))),
                ALIASES);

        assertThat(wanted).containsOnlyKeys("docker.io/library/alpine:3");
    }
}
