package dev.cascade.deploy.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImagePolicyTests {

    private static boolean follows(String from, String policy, String bound, String pushed, String running) {
        return ImagePolicy.follows(new ImageTrigger(from, "web", policy, bound), ImageRef.parse(pushed),
                Optional.ofNullable(running), RegistryAliases.NONE);
    }

    @Test
    void digestPolicyFollowsOnlyItsTag() {
        assertThat(follows("reg:5000/app:1", "digest", null, "reg:5000/app:1", "reg:5000/app:1")).isTrue();
        assertThat(follows("reg:5000/app:1", "digest", null, "reg:5000/app:2", "reg:5000/app:1")).isFalse();
        assertThat(follows("reg:5000/app:1", "digest", null, "reg:5000/other:1", "reg:5000/app:1")).isFalse();
        assertThat(follows("app:1", "digest", null, "docker.io/library/app:1", null)).isTrue();
    }

    @Test
    void semverBoundsLimitWhichNewerTagsAreTaken() {
        assertThat(follows("r.io/app:1.2.3", "semver", "patch", "r.io/app:1.2.4", "1.2.3")).isTrue();
        assertThat(follows("r.io/app:1.2.3", "semver", "patch", "r.io/app:1.3.0", "1.2.3")).isFalse();
        assertThat(follows("r.io/app:1.2.3", "semver", "minor", "r.io/app:1.3.0", "1.2.3")).isTrue();
        assertThat(follows("r.io/app:1.2.3", "semver", "minor", "r.io/app:2.0.0", "1.2.3")).isFalse();
        assertThat(follows("r.io/app:1.2.3", "semver", "major", "r.io/app:2.0.0", "1.2.3")).isTrue();
        assertThat(follows("r.io/app:1.2.3", "semver", "major", "r.io/app:1.2.2", "1.2.3")).isFalse();
        assertThat(follows("r.io/app:v1.2", "semver", "minor", "r.io/app:v1.10", "v1.2")).isTrue();
        assertThat(follows("r.io/app:1.2.3", "semver", "minor", "r.io/app:latest", "1.2.3")).isFalse();
    }

    @Test
    void globPolicyMatchesTagPatterns() {
        assertThat(follows("r.io/app:release-*", "glob", null, "r.io/app:release-42", null)).isTrue();
        assertThat(follows("r.io/app:release-*", "glob", null, "r.io/app:dev-42", null)).isFalse();
    }

    @Test
    void triggersAreValidated() {
        assertThatThrownBy(() -> new ImageTrigger("r.io/app:1", "web", "newest", null)).hasMessageContaining("policy");
        assertThatThrownBy(() -> new ImageTrigger("r.io/app:1", "web", "semver", "huge")).hasMessageContaining("bound");
        assertThatThrownBy(() -> new ImageTrigger("r.io/app:1", null, "digest", null)).hasMessageContaining("container");
        assertThat(ImageTrigger.parse("[{\"from\":\"r.io/a:1\",\"container\":\"c\"}]").get(0).policy()).isEqualTo("digest");
        assertThatThrownBy(() -> ImageTrigger.parse("{not json")).hasMessageContaining("cascade.dev/image-triggers");
    }

    @Test
    void versionsCompareNumerically() {
        assertThat(ImagePolicy.compareVersions("1.10.0", "1.9.9")).contains(1);
        assertThat(ImagePolicy.compareVersions("v2", "2.0.0")).contains(0);
        assertThat(ImagePolicy.compareVersions("latest", "1.0")).isEmpty();
    }
}
