package dev.cascade.build.queue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Which queued builds may start now, and why each other one waits: a pure function of what runs, what is ready (in
 * queue order: interactive first, then oldest first) and the settings. The dispatcher claims what it chooses; the queue
 * view explains with it why a build waits.
 *
 * <ul>
 *   <li>At most {@code capacity} builds run at once; a Serial config runs one build at a time.</li>
 *   <li>Interactive builds are chosen before any cascade build, so a git push waits at most for one running build.</li>
 *   <li>While interactive builds run or wait, cascade builds hold at most {@code cascadeSlots}; otherwise any free slot.</li>
 *   <li>A paced cascade (pipeline) starts at most {@code maxPerMinute} builds within a minute.</li>
 * </ul>
 *
 * @param capacity     builds running at once
 * @param cascadeSlots slots cascades may hold while interactive builds run or wait
 * @param maxPerMinute builds one cascade may start within a minute; 0 for no pacing
 */
public record ClaimPolicy(int capacity, int cascadeSlots, int maxPerMinute) {

    /** A running build. */
    public record Running(UUID id, String config, int number, QueueClass queueClass) {
    }

    /** A queued build whose prerequisites have all succeeded. */
    public record Ready(UUID id, String config, QueueClass queueClass, UUID pipeline, boolean parallel) {
    }

    /**
     * The outcome.
     *
     * @param chosen  the builds to start, in queue order
     * @param waiting why each other ready build waits, by id
     */
    public record Decision(List<Ready> chosen, Map<UUID, String> waiting) {
    }

    public static ClaimPolicy of(QueueSettings settings) {
        return new ClaimPolicy(settings.concurrency(), settings.cascadeSlots(), settings.cascadeMaxPerMinute());
    }

    /**
     * Chooses from {@code ready} (in queue order).
     *
     * @param startedLastMinute builds each cascade pipeline started within the last minute
     */
    public Decision decide(List<Running> running, List<Ready> ready, Map<UUID, Integer> startedLastMinute) {
        Map<String, Running> busy = new HashMap<>();
        running.forEach(r -> busy.putIfAbsent(r.config(), r));
        Set<String> chosenSerial = new HashSet<>();
        int free = capacity - running.size();
        int runningCascade = (int) running.stream().filter(r -> r.queueClass() == QueueClass.CASCADE).count();
        boolean interactiveDemand = running.size() > runningCascade
                || ready.stream().anyMatch(r -> r.queueClass() == QueueClass.INTERACTIVE);
        int cascadeLimit = interactiveDemand ? cascadeSlots : capacity;
        Map<UUID, Integer> started = new HashMap<>(startedLastMinute);
        List<Ready> chosen = new ArrayList<>();
        Map<UUID, String> waiting = new LinkedHashMap<>();
        int chosenCascade = 0;
        for (QueueClass pass : QueueClass.values()) {
            for (Ready r : ready) {
                if (r.queueClass() != pass) {
                    continue;
                }
                if (chosen.size() >= free) {
                    waiting.put(r.id(), "all " + capacity + " build slots are in use");
                    continue;
                }
                if (!r.parallel() && busy.containsKey(r.config())) {
                    Running other = busy.get(r.config());
                    waiting.put(r.id(), r.config() + " #" + other.number() + " is running (a config builds one at a time)");
                    continue;
                }
                if (!r.parallel() && chosenSerial.contains(r.config())) {
                    waiting.put(r.id(), "another build of " + r.config() + " starts first (a config builds one at a time)");
                    continue;
                }
                if (pass == QueueClass.CASCADE) {
                    if (runningCascade + chosenCascade >= cascadeLimit) {
                        waiting.put(r.id(), "cascades hold their share: " + (runningCascade + chosenCascade) + " of " + capacity
                                + " slots while interactive builds run or wait (cascade share " + cascadeSlots + " of " + capacity + ")");
                        continue;
                    }
                    int startedHere = started.getOrDefault(r.pipeline(), 0);
                    if (maxPerMinute > 0 && startedHere >= maxPerMinute) {
                        waiting.put(r.id(), "cascade paced: " + startedHere + " builds of pipeline " + r.pipeline()
                                + " started within the last minute (at most " + maxPerMinute + ")");
                        continue;
                    }
                    started.put(r.pipeline(), startedHere + 1);
                    chosenCascade++;
                }
                if (!r.parallel()) {
                    chosenSerial.add(r.config());
                }
                chosen.add(r);
            }
        }
        return new Decision(chosen, waiting);
    }
}
