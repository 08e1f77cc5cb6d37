package dev.cascade.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cascade watched}: the base images build-service checks for new digests, and each registry's check budget. */
@Command(name = "watched", mixinStandardHelpOptions = true,
        description = "Lists the watched base images: what each is watched for, its last digest and check, and each registry's budget.")
final class WatchedCommand extends ApiCommand {

    static final List<String> HEADER = List.of("IMAGE", "WATCHED FOR", "LAST DIGEST", "LAST CHECKED", "NEXT CHECK", "ERROR");
    static final List<String> REGISTRY_HEADER = List.of("REGISTRY", "REMAINING", "BACKOFF UNTIL", "ERROR");

    /** Up to this many names of one kind are shown; more are counted. */
    private static final int NAMES = 2;

    @Option(names = "--registry", paramLabel = "R", description = "only images of this registry")
    String registry;

    @Option(names = "--failing", description = "only images whose last check failed")
    boolean failing;

    @Override
    int call(Api api) {
        JsonNode list = api.get(api.build, Api.query("/api/watched-images",
                Api.params("registry", registry, "failing", failing ? true : null)));
        output.print(list, l -> {
            if (l.isEmpty()) {
                System.out.println(failing ? "No watched image is failing." : "No watched images.");
                return;
            }
            System.out.print(Render.table(HEADER, l, WatchedCommand::row));
            System.out.println();
            System.out.print(Render.table(REGISTRY_HEADER, registries(l)));
        });
        return Cascade.OK;
    }

    static List<String> row(JsonNode w) {
        return List.of(w.path("image").asText(), watchedFor(w.path("watchedFor")),
                w.hasNonNull("lastDigest") ? Render.shortDigest(w.path("lastDigest").asText()) : "-",
                Render.ago(w.path("lastCheckedAt").asText(null)), Render.until(w.path("nextCheckAt").asText(null), "due"),
                Render.oneLine(Render.text(w, "lastError"), 60));
    }

    /** {@code configs app, mid1; builder s2i-app; 3 workloads}: names while there are few of a kind, else a count. */
    static String watchedFor(JsonNode watchedFor) {
        List<String> parts = new ArrayList<>();
        for (String kind : List.of("configs", "builders", "workloads")) {
            List<String> names = new ArrayList<>();
            watchedFor.path(kind).forEach(n -> names.add(n.asText()));
            String noun = names.size() == 1 ? kind.substring(0, kind.length() - 1) : kind;
            if (names.size() > NAMES) {
                parts.add(names.size() + " " + noun);
            } else if (!names.isEmpty()) {
                parts.add(noun + " " + String.join(", ", names));
            }
        }
        return parts.isEmpty() ? "-" : String.join("; ", parts);
    }

    /** When a registry's backoff ends, while it has not ended. */
    private static String backoffUntil(String iso) {
        return Render.until(iso, "-").equals("-") ? "-" : Render.time(iso);
    }

    /** One row per registry of the listed images: its budget left this hour, its backoff and its last error. */
    static List<List<String>> registries(JsonNode list) {
        Map<String, JsonNode> states = new TreeMap<>();
        list.forEach(w -> states.putIfAbsent(w.path("registry").asText(), w.path("registryState")));
        List<List<String>> rows = new ArrayList<>();
        states.forEach((name, s) -> rows.add(List.of(name,
                s.path("remaining").asText("?") + "/" + s.path("budgetPerHour").asText("?") + " per hour",
                backoffUntil(s.path("backoffUntil").asText(null)),
                Render.oneLine(Render.text(s, "lastError"), 60))));
        return rows;
    }
}
