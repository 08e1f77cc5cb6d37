package dev.cascade.build.image;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * The registries build-service uses: those of the images the graph builds from and pushes, and those of the tags it
 * watches (the workloads' images among them). A registry report naming any other registry is not checked with it, so a
 * report cannot make build-service send a request to a host of its choosing.
 */
@ApplicationScoped
class UsedRegistries {

    private final Pool pool;

    UsedRegistries(Pool pool) {
        this.pool = pool;
    }

    /** Whether {@code registry} (a canonical name) holds an image the graph or the watch list names. */
    Uni<Boolean> uses(String registry) {
        return pool.preparedQuery("""
                        SELECT EXISTS (SELECT 1 FROM config_input WHERE split_part(image, '/', 1) = $1)
                            OR EXISTS (SELECT 1 FROM build_config WHERE split_part(output_image, '/', 1) = $1)
                            OR EXISTS (SELECT 1 FROM watched_registry WHERE registry = $1)""")
                .execute(Tuple.of(registry))
                .map(rows -> rows.iterator().next().getBoolean(0));
    }
}
