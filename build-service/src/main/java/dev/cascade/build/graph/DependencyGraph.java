package dev.cascade.build.graph;

import dev.cascade.build.config.BuildConfig;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * Which config builds on which image: edges config → base image learned from Dockerfiles (and S2I
 * builder images), the digest each config last built on, and which config produces each image.
 * All methods run inside the caller's session or transaction.
 */
@ApplicationScoped
public class DependencyGraph {

    /** A snapshot of the graph: inputs per config and the producer of each image. */
    public record Snapshot(Map<String, Set<String>> inputs, Map<String, String> producers) {

        /** Configs that build directly on {@code image}. */
        public List<String> directDependents(String image) {
            List<String> out = new ArrayList<>();
            inputs.forEach((config, in) -> {
                if (in.contains(image)) {
                    out.add(config);
                }
            });
            out.sort(null);
            return out;
        }

        /** Configs built on {@code image} directly or through other configs' outputs, each once. */
        public Set<String> transitiveDependents(String image) {
            Map<String, Set<String>> byImage = new HashMap<>();
            inputs.forEach((config, in) -> in.forEach(i -> byImage.computeIfAbsent(i, k -> new java.util.TreeSet<>()).add(config)));
            Set<String> seen = new LinkedHashSet<>();
            Deque<String> images = new ArrayDeque<>(List.of(image));
            while (!images.isEmpty()) {
                for (String config : byImage.getOrDefault(images.pop(), Set.of())) {
                    if (seen.add(config)) {
                        Optional.ofNullable(outputOf(config)).ifPresent(images::add);
                    }
                }
            }
            return seen;
        }

        String outputOf(String config) {
            for (Map.Entry<String, String> e : producers.entrySet()) {
                if (e.getValue().equals(config)) {
                    return e.getKey();
                }
            }
            return null;
        }

        /**
         * The configs of a cycle that {@code config} (with output {@code output} and these inputs) would
         * close, in order, or empty when there is none.
         */
        public List<String> cycleThrough(String config, String output, Collection<String> newInputs) {
            Map<String, Set<String>> in = new HashMap<>(inputs);
            in.put(config, new HashSet<>(newInputs));
            Map<String, String> prod = new HashMap<>(producers);
            prod.values().removeIf(config::equals);
            prod.put(output, config);
            // walk from the config to the producers of its inputs; reaching the config again is a cycle
            Deque<List<String>> paths = new ArrayDeque<>();
            paths.add(List.of(config));
            Set<String> visited = new HashSet<>();
            while (!paths.isEmpty()) {
                List<String> path = paths.poll();
                String last = path.get(path.size() - 1);
                for (String image : in.getOrDefault(last, Set.of())) {
                    String producer = prod.get(image);
                    if (producer == null) {
                        continue;
                    }
                    List<String> next = new ArrayList<>(path);
                    next.add(producer);
                    if (producer.equals(config)) {
                        return next;
                    }
                    if (visited.add(producer)) {
                        paths.add(next);
                    }
                }
            }
            return List.of();
        }
    }

    public Uni<Snapshot> snapshot() {
        return BuildConfig.<BuildConfig>listAll().chain(configs -> ConfigInput.<ConfigInput>listAll().map(edges -> {
            Map<String, Set<String>> inputs = new LinkedHashMap<>();
            Map<String, String> producers = new HashMap<>();
            configs.forEach(c -> {
                inputs.put(c.name, new LinkedHashSet<>());
                producers.put(c.outputImage, c.name);
            });
            edges.forEach(e -> inputs.computeIfAbsent(e.config, k -> new LinkedHashSet<>()).add(e.image));
            return new Snapshot(inputs, producers);
        }));
    }

    /**
     * Sets a config's inputs to {@code images}, keeping the digests known for the ones that stay. Written as
     * upserts and plain deletes, so two builds of one config finishing together both commit.
     */
    public Uni<Void> learnInputs(String config, Set<String> images) {
        return ConfigInput.<ConfigInput>list("config", config).chain(existing -> {
            List<java.util.function.Supplier<Uni<Integer>>> changes = new ArrayList<>();
            for (ConfigInput e : existing) {
                if (!images.contains(e.image)) {
                    changes.add(() -> sql("DELETE FROM config_input WHERE config = ?1 AND image = ?2", config, e.image));
                }
            }
            for (String image : images) {
                changes.add(() -> sql("INSERT INTO config_input (config, image) VALUES (?1, ?2) ON CONFLICT DO NOTHING", config, image));
            }
            return Multi.createFrom().iterable(changes).onItem().transformToUniAndConcatenate(java.util.function.Supplier::get)
                    .collect().asList().replaceWithVoid();
        });
    }

    /**
     * After a successful build: the config's inputs are exactly the bases it used, at those digests, and
     * its output image points at the digest it pushed.
     */
    public Uni<Void> recordBuild(String config, Map<String, String> baseDigests, String output, String digest, UUID pipelineId, UUID buildId) {
        return learnInputs(config, baseDigests.keySet())
                .chain(() -> Multi.createFrom().iterable(baseDigests.entrySet())
                        .onItem().transformToUniAndConcatenate(e -> sql(
                                "UPDATE config_input SET digest = ?3 WHERE config = ?1 AND image = ?2", config, e.getKey(), e.getValue()))
                        .collect().asList())
                .chain(() -> sql("""
                                INSERT INTO known_image (image, digest, pipeline_id, event_id, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
                                ON CONFLICT (image) DO UPDATE SET digest = EXCLUDED.digest, pipeline_id = EXCLUDED.pipeline_id,
                                    event_id = EXCLUDED.event_id, updated_at = EXCLUDED.updated_at""",
                        output, digest, pipelineId, buildId, OffsetDateTime.now()))
                .replaceWithVoid();
    }

    private static Uni<Integer> sql(String statement, Object... params) {
        return io.quarkus.hibernate.reactive.panache.Panache.getSession().chain(session -> {
            var query = session.createNativeQuery(statement);
            for (int i = 0; i < params.length; i++) {
                query.setParameter(i + 1, params[i]);
            }
            return query.executeUpdate();
        });
    }
}
