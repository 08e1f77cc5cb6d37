package dev.cascade.build.executor;

import dev.cascade.build.config.BuildConfigSpec;
import java.time.Duration;
import java.util.UUID;

/** Everything an executor needs to run one build: the config as it was when queued and what to build. */
public record BuildJob(UUID buildId, BuildConfigSpec spec, String revision, Duration timeout) {
}
