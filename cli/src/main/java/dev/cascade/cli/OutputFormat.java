package dev.cascade.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import picocli.CommandLine.Option;

/** The {@code --output} option every command has: a table for people, or the service's JSON for scripts. */
final class OutputFormat {

    enum Format { table, json }

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "table",
            description = "table or json (default: ${DEFAULT-VALUE})")
    Format format = Format.table;

    boolean json() {
        return format == Format.json;
    }

    /** Prints what a service answered: as JSON, or as {@code forPeople} shows it. */
    void print(JsonNode answer, Consumer<JsonNode> forPeople) {
        if (json()) {
            System.out.println(Render.json(answer));
        } else {
            forPeople.accept(answer);
        }
    }

    /** Prints a list a service answered: as JSON, or as a table with a row for each element, or {@code none} when it is empty. */
    void printList(JsonNode list, String none, List<String> header, Function<JsonNode, List<String>> row) {
        print(list, l -> {
            if (l.isEmpty()) {
                System.out.println(none);
            } else {
                System.out.print(Render.table(header, l, row));
            }
        });
    }
}
