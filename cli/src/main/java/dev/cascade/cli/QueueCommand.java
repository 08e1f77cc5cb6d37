package dev.cascade.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;

/** {@code cascade queue}: the build queue's budgets: what runs and waits in each class, the cascades' share and pace, why the oldest waits. */
@Command(name = "queue", mixinStandardHelpOptions = true,
        description = "Shows the build queue: builds running and queued by class (interactive, cascade), the share of the build "
                + "slots cascades use, each cascade's pace, and why the oldest build waits.")
final class QueueCommand extends ApiCommand {

    static final List<String> HEADER = List.of("CLASS", "RUNNING", "QUEUED", "OLDEST WAITING", "WAITING", "WHY");
    static final List<String> CASCADE_HEADER = List.of("PIPELINE", "BASE IMAGE", "RUNNING", "QUEUED", "STARTED IN LAST MINUTE");

    @Override
    int call(Api api) {
        output.print(api.get(api.build, "/api/queue"), QueueCommand::describe);
        return Cascade.OK;
    }

    private static void describe(JsonNode q) {
        List<List<String>> rows = new ArrayList<>();
        for (String c : List.of("interactive", "cascade")) {
            JsonNode cls = q.path(c);
            JsonNode oldest = cls.path("oldestWaiting");
            boolean waiting = oldest.isObject();
            rows.add(List.of(c, cls.path("running").asText("0"), cls.path("queued").asText("0"),
                    waiting ? oldest.path("config").asText() + " #" + oldest.path("number").asText() : "-",
                    waiting ? Render.since(oldest.path("queuedAt").asText(null)) : "-",
                    waiting ? Render.oneLine(oldest.path("why").asText(), 90) : "-"));
        }
        System.out.print(Render.table(HEADER, rows));
        System.out.println();
        System.out.println(slots(q));
        if (q.hasNonNull("executorUnavailable")) {
            System.out.println("No build starts: " + Render.oneLine(q.path("executorUnavailable").asText(), 200));
        }
        JsonNode cascades = q.path("cascades");
        if (!cascades.isEmpty()) {
            System.out.println();
            System.out.print(Render.table(CASCADE_HEADER, cascades, c -> List.of(Render.shorten(c.path("pipelineId").asText(), 8),
                    Render.text(c, "triggerImage"), c.path("running").asText(), c.path("queued").asText(),
                    c.path("startedLastMinute").asText() + (q.path("cascadeMaxBuildsPerMinute").asInt() > 0
                            ? " of " + q.path("cascadeMaxBuildsPerMinute").asText() : ""))));
        }
    }

    /** {@code Build slots: 2. Cascades use 1 of the 1 they may hold now (share 0.5: 1 slot while interactive builds run or wait); unpaced.} */
    static String slots(JsonNode q) {
        int pace = q.path("cascadeMaxBuildsPerMinute").asInt();
        return "Build slots: " + q.path("capacity").asText() + ". Cascades use " + q.path("cascadeSlotsInUse").asText() + " of the "
                + q.path("cascadeSlotsAllowed").asText() + " they may hold now (share " + q.path("cascadeShare").asText() + ": "
                + q.path("cascadeSlots").asText() + (q.path("cascadeSlots").asInt() == 1 ? " slot" : " slots")
                + " while interactive builds run or wait); "
                + (pace > 0 ? "each cascade starts at most " + pace + " builds a minute." : "cascades are not paced.");
    }
}
