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

    /** Sets a config's inputs to {@code images}, keeping the digests known for the ones that stay. */
    public Uni<Void> learnInputs(String config, Set<String> images) {
        return ConfigInput.<ConfigInput>list("config", config).chain(existing -> {
            Set<String> have = new HashSet<>();
            List<Uni<?>> changes = new ArrayList<>();
            for (ConfigInput e : existing) {
                have.add(e.image);
                if (!images.contains(e.image)) {
                    changes.add(e.delete());
                }
            }
            for (String image : images) {
                if (!have.contains(image)) {
                    ConfigInput e = new ConfigInput();
                    e.config = config;
                    e.image = image;
                    changes.add(e.persist());
                }
            }
            return Multi.createFrom().iterable(changes).onItem().transformToUniAndConcatenate(u -> u).collect().asList().replaceWithVoid();
        });
    }

    /**
     * After a successful build: the config's inputs are exactly the bases it used, at those digests, and
     * its output image points at the digest it pushed.
     */
    public Uni<Void> recordBuild(String config, Map<String, String> baseDigests, String output, String digest, UUID pipelineId, UUID buildId) {
        return learnInputs(config, baseDigests.keySet())
                .chain(() -> ConfigInput.<ConfigInput>list("config", config))
                .chain(edges -> {
                    edges.forEach(e -> e.digest = baseDigests.get(e.image));
                    return KnownImage.<KnownImage>findById(output);
                })
                .chain(known -> {
                    KnownImage k = known != null ? known : new KnownImage();
                    k.image = output;
                    k.digest = digest;
                    k.pipelineId = pipelineId;
                    k.eventId = buildId;
                    k.updatedAt = OffsetDateTime.now();
                    return known != null ? Uni.createFrom().voidItem() : k.persist().replaceWithVoid();
                });
    }

    /** Configs that build on {@code image} and last built it at another digest, with base-image triggers on. */
    public Uni<List<BuildConfig>> staleDependents(String image, String digest) {
        return ConfigInput.<ConfigInput>list("image = ?1 and digest is not null and digest <> ?2", image, digest)
                .chain(edges -> edges.isEmpty() ? Uni.createFrom().item(List.<BuildConfig>of())
                        : BuildConfig.<BuildConfig>list("name in ?1 and onBaseChange = true order by name",
                        edges.stream().map(e -> e.config).toList()));
    }
}
