package dev.cascade.buildstep.source;

import dev.cascade.buildstep.process.BuildStepException;
import dev.cascade.buildstep.process.ProcessRunner;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.regex.Pattern;

/**
 * Fetches exactly one commit (or the tip of one branch) of a repository into an empty directory with
 * the git CLI, shallowly. The URL always comes from the build config, never from a webhook payload.
 */
public final class GitCheckout {

    private static final Pattern SHA = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Map<String, String> ENV = Map.of("GIT_TERMINAL_PROMPT", "0", "GIT_ASKPASS", "/bin/true",
            "GIT_CONFIG_NOSYSTEM", "1");

    private GitCheckout() {
    }

    /**
     * @param revision a full commit SHA, or a branch name
     * @return the commit checked out
     */
    public static String checkout(String url, String revision, Path dir, Duration timeout, OutputStream log,
                                  Consumer<Process> started, BooleanSupplier cancelled) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        boolean sha = SHA.matcher(revision).matches();
        if (!sha && (revision.startsWith("-") || revision.contains(".."))) {
            throw new IOException("not a branch name: " + revision);
        }
        run(List.of("git", "init", "-q", dir.toString()), null, timeout, log, started, cancelled);
        run(List.of("git", "-C", dir.toString(), "fetch", "-q", "--depth", "1", "--", url,
                sha ? revision : "refs/heads/" + revision), null, timeout, log, started, cancelled);
        run(List.of("git", "-C", dir.toString(), "checkout", "-q", "--detach", "FETCH_HEAD"), null, timeout, log, started, cancelled);
        return fetchedCommit(dir);
    }

    /** The commit just fetched and checked out, read from {@code .git/FETCH_HEAD} ({@code <sha> TAB ...}): no process needed. */
    static String fetchedCommit(Path dir) throws IOException {
        String line = Files.readAllLines(dir.resolve(".git/FETCH_HEAD")).stream().findFirst().orElse("");
        int end = line.indexOf('\t');
        String commit = end < 0 ? line.strip() : line.substring(0, end);
        if (!SHA.matcher(commit).matches()) {
            throw new IOException("git fetched no commit (FETCH_HEAD: " + line + ")");
        }
        return commit;
    }

    private static void run(List<String> cmd, Path workDir, Duration timeout, OutputStream log, Consumer<Process> started,
                            BooleanSupplier cancelled) throws IOException, InterruptedException {
        ProcessRunner.Result r = ProcessRunner.run(cmd, workDir, ENV, timeout, log, started, cancelled);
        if (!r.ok()) {
            throw new BuildStepException(r.cancelled() ? "cancelled" : r.timedOut() ? "git timed out" : "git failed (exit " + r.exitCode() + ")",
                    r.cancelled());
        }
    }
}
