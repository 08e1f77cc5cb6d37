package dev.cascade.infra;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The local run's guard: a small child JVM of {@link DevMain} that ends the run's other parts when the launcher is
 * gone, whatever ended it (Ctrl-C, a closed terminal, SIGKILL, the OOM killer). The launcher writes to its standard
 * input one line per part ({@code pid <n>} for a child process, {@code pgdata <dir>} for the PostgreSQL server, which
 * runs detached from the launcher); when that input closes, the guard stops each: processes with SIGTERM (SIGKILL
 * after {@link #GRACE}), PostgreSQL through its data directory (a fast shutdown of the postmaster its
 * {@code postmaster.pid} names).
 */
public final class RunGuard {

    static final Duration GRACE = Duration.ofSeconds(8);

    private RunGuard() {
    }

    public static void main(String[] args) throws Exception {
        List<Long> pids = new CopyOnWriteArrayList<>();
        List<Path> pgData = new CopyOnWriteArrayList<>();
        try (BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                String l = line.trim();
                if (l.startsWith("pid ")) {
                    pids.add(Long.parseLong(l.substring(4).trim()));
                } else if (l.startsWith("pgdata ")) {
                    pgData.add(Path.of(l.substring(7).trim()));
                }
            }
        } catch (IOException ignored) {
            // a broken pipe means the launcher is gone, as the end of input does
        }
        // PostgreSQL's fast shutdown does not wait for its clients: both at once, so the run ends within seconds
        Thread postgres = new Thread(() -> {
            for (Path dir : pgData) {
                try {
                    stopPostgres(dir);
                } catch (IOException e) {
                    System.out.println("[cascade-guard] could not stop PostgreSQL of " + dir + ": " + e.getMessage());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }, "postgres");
        postgres.start();
        endProcesses(pids);
        postgres.join();
    }

    /** SIGTERM to each process and its descendants, then SIGKILL to whatever is left after the grace period. */
    static void endProcesses(List<Long> pids) throws InterruptedException {
        List<ProcessHandle> all = new ArrayList<>();
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(p -> {
                all.addAll(p.descendants().toList());
                all.add(p);
            });
        }
        if (all.stream().noneMatch(ProcessHandle::isAlive)) {
            return;
        }
        System.out.println("[cascade-guard] the launcher is gone: stopping " + all.size() + " processes of the local run");
        all.forEach(ProcessHandle::destroy);
        awaitExit(all);
        all.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    /** Waits until every process has ended, at most {@link #GRACE}. */
    private static void awaitExit(List<ProcessHandle> processes) throws InterruptedException {
        try {
            CompletableFuture.allOf(processes.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                    .get(GRACE.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            // what is still alive is killed by the caller
        }
    }

    /** A fast shutdown (SIGINT) of the postmaster a data directory's {@code postmaster.pid} names, if it runs. */
    static void stopPostgres(Path dataDir) throws IOException, InterruptedException {
        Optional<ProcessHandle> postmaster = postmaster(dataDir);
        if (postmaster.isEmpty()) {
            return;
        }
        long pid = postmaster.get().pid();
        System.out.println("[cascade-guard] stopping PostgreSQL (pid " + pid + ") of " + dataDir);
        new ProcessBuilder("kill", "-INT", Long.toString(pid)).inheritIO().start().waitFor();
        awaitExit(List.of(postmaster.get()));
        if (postmaster.get().isAlive()) {
            postmaster.get().destroyForcibly();
        }
    }

    /** The live postmaster of a data directory: the pid on the first line of its postmaster.pid, if that process is a postgres. */
    static Optional<ProcessHandle> postmaster(Path dataDir) throws IOException {
        Path pidFile = dataDir.resolve("postmaster.pid");
        if (!Files.exists(pidFile)) {
            return Optional.empty();
        }
        List<String> lines = Files.readAllLines(pidFile);
        if (lines.isEmpty()) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(lines.get(0).trim());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
                .filter(p -> p.info().command().map(c -> c.endsWith("postgres")).orElse(true));
    }
}
