package dev.cascade.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The {@code cascade} command: its global options, its subcommands and the exit codes scripts can rely on. */
@Command(name = "cascade", mixinStandardHelpOptions = true, versionProvider = Cascade.Version.class,
        description = "Pipelines, builds, impact, rollouts and watched base images of a running Cascade.",
        subcommands = {PipelinesCommand.class, PipelineCommand.class, BuildsCommand.class, ImpactCommand.class,
                RolloutsCommand.class, RollbackCommand.class, WatchedCommand.class, QueueCommand.class, CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:success",
                "1:what was followed ended badly (build failed or cancelled, pipeline failed)",
                "2:usage error",
                "3:not found (HTTP 404)",
                "4:the service answered an error (HTTP 4xx other than 404, 401, 403; 5xx)",
                "5:a service could not be reached",
                "6:the API token is missing or not accepted (HTTP 401), or its role may not do this (HTTP 403)"},
        footerHeading = "%nEnvironment:%n",
        footer = {"  CASCADE_TRIGGER_URL   default of --trigger-url",
                "  CASCADE_BUILD_URL     default of --build-url",
                "  CASCADE_DEPLOY_URL    default of --deploy-url",
                "  CASCADE_TOKEN         default of --token"})
public final class Cascade implements Runnable {

    public static final int OK = 0;
    public static final int ENDED_BADLY = 1;
    public static final int USAGE = 2;
    public static final int NOT_FOUND = 3;
    public static final int SERVICE_ERROR = 4;
    public static final int UNREACHABLE = 5;
    public static final int NOT_AUTHORISED = 6;

    @Option(names = "--trigger-url", scope = ScopeType.INHERIT, paramLabel = "URL",
            defaultValue = "${env:CASCADE_TRIGGER_URL:-http://localhost:8081}",
            description = "trigger-service (default: ${DEFAULT-VALUE})")
    String triggerUrl;

    @Option(names = "--build-url", scope = ScopeType.INHERIT, paramLabel = "URL",
            defaultValue = "${env:CASCADE_BUILD_URL:-http://localhost:8082}",
            description = "build-service (default: ${DEFAULT-VALUE})")
    String buildUrl;

    @Option(names = "--deploy-url", scope = ScopeType.INHERIT, paramLabel = "URL",
            defaultValue = "${env:CASCADE_DEPLOY_URL:-http://localhost:8083}",
            description = "deploy-service (default: ${DEFAULT-VALUE})")
    String deployUrl;

    @Option(names = "--token", scope = ScopeType.INHERIT, paramLabel = "TOKEN", defaultValue = "${env:CASCADE_TOKEN}",
            description = "sent as 'Authorization: Bearer TOKEN' (default: $$CASCADE_TOKEN)")
    String token;

    @CommandLine.Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }

    /** The exit code for a build or pipeline that has ended: 0 only when it succeeded. */
    static int exitCode(JsonNode ended) {
        return "succeeded".equals(ended.path("status").asText()) ? OK : ENDED_BADLY;
    }

    /** The client for the services named by the global options of the command line {@code spec} belongs to. */
    static Api api(CommandSpec spec) {
        Cascade root = (Cascade) spec.root().userObject();
        return new Api(root.triggerUrl, root.buildUrl, root.deployUrl, root.token);
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The command line with this tool's error handling: one line on stderr, and an exit code by what went wrong. */
    static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new Cascade());
        cli.setOverwrittenOptionsAllowed(true); // the last --build-url wins, so a script can add one to an alias that has one
        cli.setExecutionExceptionHandler((e, commandLine, parsed) -> {
            if (e instanceof Failure) {
                System.err.println("cascade: " + e.getMessage());
                return ((Failure) e).exitCode;
            }
            System.err.println("cascade: " + e);
            return SERVICE_ERROR;
        });
        cli.setParameterExceptionHandler((e, args) -> {
            CommandLine c = e.getCommandLine();
            c.getErr().println("cascade: " + e.getMessage());
            c.getErr().println("Try '" + c.getCommandSpec().qualifiedName() + " --help' for more information.");
            return USAGE;
        });
        return cli;
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Cascade.class.getPackage().getImplementationVersion();
            return new String[] {"cascade " + (v == null ? "(development)" : v)};
        }
    }
}
