package dev.cascade.testsupport.kube;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Container paths are rewritten to the pod's folders where they stand as paths, and only there. */
class PodSandboxTests {

    static final Map<String, String> MOUNTS = Map.of(
            "/workspace", "/tmp/pod/volumes/ws",
            "/workspace/cache", "/tmp/pod/volumes/cache",
            "/tmp", "/tmp/pod/volumes/tmp",
            "/dev/termination-log", "/tmp/pod/termination/main");

    @Test
    void theLongestMountPathWins() {
        assertThat(PodSandbox.rewrite("/workspace/cache/x /workspace/src", MOUNTS))
                .isEqualTo("/tmp/pod/volumes/cache/x /tmp/pod/volumes/ws/src");
    }

    @Test
    void pathsAreRewrittenAfterOptionsAndSeparatorsButNotInsideOtherNames() {
        assertThat(PodSandbox.rewrite("--dir=/workspace a:/workspace/b /workspace2 /mnt/workspace x/workspace", MOUNTS))
                .isEqualTo("--dir=/tmp/pod/volumes/ws a:/tmp/pod/volumes/ws/b /workspace2 /mnt/workspace x/workspace");
    }

    @Test
    void eachOccurrenceIsRewrittenOnceEvenWhenTheHostPathStartsWithAMountPath() {
        assertThat(PodSandbox.rewrite("echo done > /dev/termination-log; ls /tmp", MOUNTS))
                .isEqualTo("echo done > /tmp/pod/termination/main; ls /tmp/pod/volumes/tmp");
    }

    @Test
    void containerVariablesAreExpandedAsAKubeletDoes() {
        Map<String, String> env = Map.of("NAME", "web", "DIR", "/tmp/pod/volumes/ws");
        assertThat(ContainerLaunch.expand("$(NAME) in $(DIR), $(UNKNOWN), $$(NAME), $(shell cmd)", env))
                .isEqualTo("web in /tmp/pod/volumes/ws, $(UNKNOWN), $(NAME), $(shell cmd)");
    }
}
