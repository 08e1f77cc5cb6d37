package dev.cascade.build.cascade;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The affected part of the dependency graph for one change, in build order: every affected config once,
 * each after the affected configs whose output it builds on. Wave 1 builds first; a config's wave is one
 * more than the highest wave among its affected parents.
 *
 * @param steps the affected configs in a topological order (by wave, then by name)
 */
public record CascadePlan(List<Step> steps) {

    /**
     * One affected config.
     *
     * @param config      the config's name
     * @param outputImage the image it builds
     * @param wave        1 for configs with no affected parent, else one more than its highest parent
     * @param after       affected configs it builds on, which must succeed first
     * @param root        whether the change itself affects it (rather than a parent's rebuild)
     */
    public record Step(String config, String outputImage, int wave, List<String> after, boolean root) {
    }

    /**
     * An affected config as the planner sees it.
     *
     * @param config      the config's name
     * @param outputImage the image it builds
     * @param inputs      the images it builds on (only those produced by other affected configs matter)
     */
    public record Node(String config, String outputImage, Set<String> inputs) {
    }

    public static final CascadePlan EMPTY = new CascadePlan(List.of());

    public CascadePlan {
        steps = List.copyOf(steps);
    }

    /**
     * Orders {@code affected} so each config follows the affected configs producing its inputs.
     *
     * @param roots    the configs the change affects directly
     * @param affected the roots and everything rebuilt because of them
     * @throws IllegalStateException when the affected configs form a cycle (saving a config refuses those)
     */
    public static CascadePlan of(Set<String> roots, Collection<Node> affected) {
        Map<String, String> producerOf = new HashMap<>();
        affected.forEach(n -> producerOf.put(n.outputImage(), n.config()));
        Map<String, List<String>> parents = new HashMap<>();
        Map<String, List<String>> children = new HashMap<>();
        Map<String, Integer> waiting = new HashMap<>();
        for (Node n : affected) {
            Set<String> ps = new TreeSet<>();
            for (String input : n.inputs()) {
                String producer = producerOf.get(input);
                if (producer != null && !producer.equals(n.config())) {
                    ps.add(producer);
                }
            }
            parents.put(n.config(), List.copyOf(ps));
            waiting.put(n.config(), ps.size());
            ps.forEach(p -> children.computeIfAbsent(p, k -> new ArrayList<>()).add(n.config()));
        }
        Map<String, Node> byName = new HashMap<>();
        affected.forEach(n -> byName.put(n.config(), n));
        Map<String, Integer> wave = new HashMap<>();
        Deque<String> ready = new ArrayDeque<>(new TreeSet<>(waiting.entrySet().stream()
                .filter(e -> e.getValue() == 0).map(Map.Entry::getKey).toList()));
        List<Step> order = new ArrayList<>();
        while (!ready.isEmpty()) {
            String config = ready.poll();
            int w = 1 + parents.get(config).stream().mapToInt(wave::get).max().orElse(0);
            wave.put(config, w);
            Node node = byName.get(config);
            order.add(new Step(config, node.outputImage(), w, parents.get(config), roots.contains(config)));
            for (String child : children.getOrDefault(config, List.of())) {
                if (waiting.merge(child, -1, Integer::sum) == 0) {
                    ready.add(child);
                }
            }
        }
        if (order.size() != affected.size()) {
            List<String> stuck = waiting.entrySet().stream().filter(e -> e.getValue() > 0).map(Map.Entry::getKey).sorted().toList();
            throw new IllegalStateException("the affected configs form a cycle through " + stuck);
        }
        order.sort(Comparator.comparingInt(Step::wave).thenComparing(Step::config));
        return new CascadePlan(order);
    }

    /** The steps grouped by wave, wave 1 first. */
    public List<List<Step>> waves() {
        List<List<Step>> out = new ArrayList<>();
        for (Step s : steps) {
            while (out.size() < s.wave()) {
                out.add(new ArrayList<>());
            }
            out.get(s.wave() - 1).add(s);
        }
        return out;
    }

    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /** The affected configs' names, in build order. */
    public List<String> configs() {
        return steps.stream().map(Step::config).toList();
    }
}
