package dev.cascade.buildstep.process;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs an external command (git, buildah) with its output appended to a build log, a deadline, and a
 * handle that a cancel can use to stop it. Blocking: call it from a worker thread.
 */
public final class ProcessRunner {

    private ProcessRunner() {
    }

    /** How a command ended. */
    public record Result(int exitCode, boolean timedOut, boolean cancelled) {
        public boolean ok() {
            return exitCode == 0 && !timedOut && !cancelled;
        }
    }

    /**
     * @param started receives the process as soon as it runs, so it can be cancelled
     * @param log     where stdout and stderr go; a header line with the command is written first
     */
    public static Result run(List<String> command, Path workDir, Map<String, String> env, Duration timeout,
                             OutputStream log, Consumer<Process> started, java.util.function.BooleanSupplier cancelled)
            throws IOException, InterruptedException {
        log.write(("$ " + String.join(" ", redact(command)) + "\n").getBytes(StandardCharsets.UTF_8));
        log.flush();
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (workDir != null) {
            pb.directory(workDir.toFile());
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        started.accept(p);
        Thread pump = new Thread(() -> {
            try (var in = p.getInputStream()) {
                byte[] buf = new byte[8192];
                for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
                    synchronized (log) {
                        log.write(buf, 0, n);
                        log.flush();
                    }
                }
            } catch (IOException ignored) {
                // the process went away; what it wrote is in the log
            }
        }, "build-log-pump");
        pump.setDaemon(true);
        pump.start();
        boolean finished = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            stop(p);
        }
        pump.join(5_000);
        boolean wasCancelled = cancelled.getAsBoolean();
        return new Result(finished ? p.exitValue() : -1, !finished && !wasCancelled, wasCancelled);
    }

    /** Stops a process and everything it started: SIGTERM, then SIGKILL after a grace period. */
    public static void stop(Process p) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
        try {
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        }
    }

    /** Hides credentials given on a command line ({@code --creds user:password}). */
    static List<String> redact(List<String> command) {
        String[] copy = command.toArray(String[]::new);
        for (int i = 0; i < copy.length - 1; i++) {
            if (copy[i].equals("--creds")) {
                copy[i + 1] = "***";
            }
        }
        return List.of(copy);
    }
}
