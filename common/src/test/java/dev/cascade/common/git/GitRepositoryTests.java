package dev.cascade.common.git;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cascade.common.events.SourcePushed.RefType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class GitRepositoryTests {

    @ParameterizedTest
    @ValueSource(strings = {
            "https://github.com/o/r",
            "https://github.com/o/r.git",
            "https://github.com/o/r/",
            "https://github.com/o/r.git/",
            "http://github.com/o/r",
            "https://GitHub.COM/o/r",
            "https://user:token@github.com/o/r.git",
            "https://github.com:443/o/r",
            "git@github.com:o/r.git",
            "git@github.com:o/r",
            "github.com:o/r.git",
            "git@GITHUB.com:/o/r.git",
            "ssh://git@github.com/o/r.git",
            "ssh://git@github.com:22/o/r.git",
            "git+ssh://git@github.com/o/r",
            "git://github.com/o/r.git",
            "https://github.com//o//r.git"})
    void everySpellingOfOneRepositoryHasOneCanonicalUrl(String url) {
        assertThat(GitRepository.parse(url).canonicalUrl()).isEqualTo("https://github.com/o/r");
    }

    @Test
    void pathCaseIsKept() {
        assertThat(GitRepository.parse("git@gitlab.com:Group/Sub/Project.git").canonicalUrl())
                .isEqualTo("https://gitlab.com/Group/Sub/Project");
    }

    @Test
    void nonDefaultWebPortIsPartOfTheIdentity() {
        assertThat(GitRepository.parse("http://gitea.local:3000/o/r.git").canonicalUrl()).isEqualTo("https://gitea.local:3000/o/r");
        assertThat(GitRepository.parse("https://gitea.local:8443/o/r").canonicalUrl()).isEqualTo("https://gitea.local:8443/o/r");
        // an ssh port tells nothing about the web address
        assertThat(GitRepository.parse("ssh://git@gitea.local:2222/o/r.git").canonicalUrl()).isEqualTo("https://gitea.local/o/r");
    }

    @Test
    void localRepositoriesAreFileUrls() {
        assertThat(GitRepository.parse("file:///srv/git/app.git").canonicalUrl()).isEqualTo("file:///srv/git/app");
        assertThat(GitRepository.parse("/srv/git/app.git/").canonicalUrl()).isEqualTo("file:///srv/git/app");
        assertThat(GitRepository.same("file:///srv/git/app.git", "/srv/git/app")).isTrue();
    }

    @Test
    void differentRepositoriesStayDifferent() {
        assertThat(GitRepository.same("https://github.com/o/r", "https://github.com/o/r2")).isFalse();
        assertThat(GitRepository.same("https://github.com/o/r", "https://gitlab.com/o/r")).isFalse();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "github.com", "https://github.com", "https://github.com/", "ftp://host/o/r", "https:///o/r", "not a url", "file://"})
    void nonRepositoryUrlsAreRejected(String url) {
        assertThatThrownBy(() -> GitRepository.parse(url)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refsNameBranchesAndTags() {
        assertThat(GitRef.parse("refs/heads/main")).isEqualTo(GitRef.branch("main"));
        assertThat(GitRef.parse("refs/heads/feature/x").name()).isEqualTo("feature/x");
        assertThat(GitRef.parse("refs/tags/v1.2.0")).isEqualTo(new GitRef(RefType.TAG, "v1.2.0"));
        assertThat(GitRef.parse("main")).isEqualTo(GitRef.branch("main"));
        assertThat(GitRef.tag("v1").fullName()).isEqualTo("refs/tags/v1");
        assertThatThrownBy(() -> GitRef.parse("refs/pull/1/head")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GitRef.parse("")).isInstanceOf(IllegalArgumentException.class);
    }
}
