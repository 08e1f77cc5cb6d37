package dev.cascade.testsupport.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * One container of a pod as the container runtime runs it: a process on this machine, its log, and the state a
 * kubelet reports for it (waiting, running, terminated).
 */
public final class ContainerRun {

    private final String name;
    private final String image;
    private final boolean init;
    private final ContainerLog log = new ContainerLog();
    private volatile String waitingReason;
    private volatile String waitingMessage;
    private volatile Instant startedAt;
    private volatile Instant finishedAt;
    private volatile Integer exitCode;
    private volatile String message;
    private volatile Process process;
    private volatile boolean killed;

    ContainerRun(Container c, boolean init, String waitingReason) {
        this.name = c.getName();
        this.image = c.getImage();
        this.init = init;
        this.waitingReason = waitingReason;
    }

    public String name() {
        return name;
    }

    public boolean init() {
        return init;
    }

    public ContainerLog log() {
        return log;
    }

    /** Whether the container has started (a log can be read); false while it waits. */
    public boolean started() {
        return startedAt != null;
    }

    public String waitingReason() {
        return waitingReason;
    }

    public Optional<Integer> exitCode() {
        return Optional.ofNullable(exitCode);
    }

    /** The process of the container, while or after it runs. */
    public Optional<ProcessHandle> process() {
        Process p = process;
        return p == null ? Optional.empty() : Optional.of(p.toHandle());
    }

    void waiting(String reason, String message) {
        this.waitingReason = reason;
        this.waitingMessage = message;
    }

    /**
     * Starts the process, pumps its output into the log, waits for it to exit and records how it ended.
     *
     * @param onStarted called once the process runs, for the kubelet to report it
     * @return the exit code
     */
    int run(ProcessBuilder builder, Path terminationFile, boolean fallbackToLogs, Runnable onStarted) throws InterruptedException {
        synchronized (this) {
            if (killed) {
                return 137;
            }
            try {
                process = builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            } catch (IOException e) {
                waiting("RunContainerError", "failed to start " + builder.command().get(0) + ": " + e.getMessage());
                throw new UncheckedIOException(e);
            }
            startedAt = Instant.now();
            waitingReason = null;
        }
        onStarted.run();
        Thread out = pump(process.getInputStream(), "stdout");
        Thread err = pump(process.getErrorStream(), "stderr");
        int code = process.waitFor();
        out.join();
        err.join();
        String text;
        try {
            text = ContainerLaunch.readMessage(terminationFile);
        } catch (IOException e) {
            text = "";
        }
        if (text.isEmpty() && code != 0 && fallbackToLogs) {
            text = log.fallbackMessage();
        }
        message = text;
        finishedAt = Instant.now();
        exitCode = code;
        return code;
    }

    private Thread pump(java.io.InputStream in, String stream) {
        Thread t = new Thread(() -> {
            try {
                log.pump(in);
            } catch (IOException e) {
                // the process was killed while writing; what it wrote is kept
            }
        }, "kubelet-" + name + "-" + stream);
        t.setDaemon(true);
        t.start();
        return t;
    }

    /**
     * Stops the container as a runtime does: SIGTERM to the process and all its descendants, SIGKILL to whatever is
     * left after the grace period. Blocks until the process has exited or the grace period and a second more passed.
     */
    void kill(long graceMillis) {
        Process p;
        synchronized (this) {
            killed = true;
            p = process;
        }
        if (p == null) {
            return;
        }
        // the tree is taken first: once the parent dies its children are no longer its descendants
        List<ProcessHandle> tree = new ArrayList<>();
        tree.add(p.toHandle());
        p.toHandle().descendants().forEach(tree::add);
        tree.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(graceMillis);
        for (ProcessHandle h : tree) {
            long left = deadline - System.nanoTime();
            if (left > 0) {
                try {
                    h.onExit().get(left, TimeUnit.NANOSECONDS);
                } catch (Exception stillRunning) {
                    // killed below
                }
            }
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
        try {
            p.waitFor(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The status a kubelet reports for this container. */
    ContainerStatus status() {
        ContainerStateBuilder state = new ContainerStateBuilder();
        Integer code = exitCode;
        Instant started = startedAt;
        if (code != null) {
            state.withNewTerminated().withExitCode(code).withReason(code == 0 ? "Completed" : "Error")
                    .withMessage(message == null || message.isEmpty() ? null : message)
                    .withStartedAt(time(started)).withFinishedAt(time(finishedAt)).endTerminated();
        } else if (started != null) {
            state.withNewRunning().withStartedAt(time(started)).endRunning();
        } else {
            state.withNewWaiting().withReason(waitingReason).withMessage(waitingMessage).endWaiting();
        }
        boolean running = code == null && started != null;
        return new ContainerStatusBuilder().withName(name).withImage(image).withImageID("")
                .withContainerID(started == null ? null : "local://" + process().map(ProcessHandle::pid).orElse(0L))
                .withReady(running).withStarted(running).withRestartCount(0).withState(state.build()).build();
    }

    static String time(Instant t) {
        return t == null ? null : t.truncatedTo(ChronoUnit.SECONDS).toString();
    }
}
