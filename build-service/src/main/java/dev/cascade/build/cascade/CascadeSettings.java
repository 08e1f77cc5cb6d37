package dev.cascade.build.cascade;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** How base image pushes become cascades. */
@ConfigMapping(prefix = "cascade.build")
public interface CascadeSettings {

    /**
     * How long pushes of one base image tag are gathered into one cascade: the cascade is planned this long
     * after the first push, on the latest digest. Zero plans each push at once.
     */
    @WithDefault("5s")
    Duration coalesceWindow();
}
