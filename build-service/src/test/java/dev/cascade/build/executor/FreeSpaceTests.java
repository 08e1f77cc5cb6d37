package dev.cascade.build.executor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.cascade.buildstep.process.BuildStepException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A build needs the configured free space on its disks before it starts; below it, it fails with the reason. */
class FreeSpaceTests {

    @TempDir
    Path dir;

    @Test
    void aDiskBelowTheFloorFailsTheBuildWithTheReason() throws Exception {
        long usable = Files.getFileStore(dir).getUsableSpace();
        Path workspace = dir.resolve("not-yet-created/builds");
        assertThatThrownBy(() -> FreeSpace.require(usable + (1L << 40), workspace))
                .isInstanceOfSatisfying(BuildStepException.class, e -> {
                    assertThat(e.transientFailure()).isFalse();
                    assertThat(e.cancelled()).isFalse();
                })
                .hasMessageContaining("not enough disk space for a build: " + workspace)
                .hasMessageContaining("CASCADE_BUILD_MIN_FREE_SPACE");
    }

    @Test
    void aDiskAboveTheFloorLetsTheBuildStart() {
        assertThatCode(() -> FreeSpace.require(1024, dir, dir.resolve("missing"))).doesNotThrowAnyException();
    }
}
