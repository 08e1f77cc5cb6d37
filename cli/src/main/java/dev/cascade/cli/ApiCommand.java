package dev.cascade.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * A command that asks the services: it has the {@code --output} option and gets the client for the services the
 * global options name. A failure it throws ends it with that failure's exit code ({@link Cascade#commandLine()}).
 */
abstract class ApiCommand implements Callable<Integer> {

    @Mixin
    OutputFormat output;

    @Spec
    CommandSpec spec;

    @Override
    public final Integer call() {
        return call(Cascade.api(spec));
    }

    /** Does what the command is for; returns its exit code. */
    abstract int call(Api api);
}
