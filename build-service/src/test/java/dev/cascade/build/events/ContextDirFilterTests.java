package dev.cascade.build.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.build.config.BuildConfigSpec;
import dev.cascade.common.events.SourcePushed;
import java.util.List;
import org.junit.jupiter.api.Test;

class ContextDirFilterTests {

    private static BuildConfigSpec config(String contextDir) {
        return new BuildConfigSpec("svc", new BuildConfigSpec.Source("https://git.example/o/mono", "main", contextDir, null),
                null, "registry.example/o/svc:1", null, null, null, null, null, null).withDefaults();
    }

    private static SourcePushed push(List<String> paths) {
        return new SourcePushed("https://git.example/o/mono", SourcePushed.RefType.BRANCH, "main", null, "a".repeat(40), paths,
                "alice", "github", "d");
    }

    @Test
    void aPushTouchingTheContextDirBuilds() {
        assertThat(TriggerConsumer.touchesContext(config("services/api"), push(List.of("services/api/Main.java")))).isTrue();
        assertThat(TriggerConsumer.touchesContext(config("./services/api/"), push(List.of("README.md", "services/api/Dockerfile")))).isTrue();
    }

    @Test
    void aPushElsewhereInTheRepositoryDoesNotBuild() {
        assertThat(TriggerConsumer.touchesContext(config("services/api"), push(List.of("services/web/index.html")))).isFalse();
        assertThat(TriggerConsumer.touchesContext(config("services/api"), push(List.of("services/api-old/x")))).isFalse();
    }

    @Test
    void unknownPathsOrARootContextAlwaysBuild() {
        assertThat(TriggerConsumer.touchesContext(config("services/api"), push(null))).isTrue();
        assertThat(TriggerConsumer.touchesContext(config("."), push(List.of("docs/x.md")))).isTrue();
    }
}
