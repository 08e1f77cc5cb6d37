package dev.cascade.cli;

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
}
