package dev.cascade.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** Real git repositories for tests: a bare repository served by {@code file://}, and commits pushed to it. */
public final class GitRepos {

    private final Path root;

    public GitRepos(Path root) {
        this.root = root;
    }

    /** Creates an empty bare repository and returns its {@code file://} URL. */
    public String create(String name) throws IOException {
        Path bare = root.resolve(name + ".git");
        git(null, "init", "-q", "--bare", "-b", "main", bare.toString());
        return bare.toUri().toString();
    }

    /**
     * Commits {@code files} (path to content; a null content deletes) on branch {@code main} of the bare
     * repository {@code name} and pushes; returns the new commit.
     */
    public String commit(String name, Map<String, String> files, String message) throws IOException {
        Path work = workTree(name);
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = work.resolve(f.getKey());
            if (f.getValue() == null) {
                Files.deleteIfExists(p);
            } else {
                Files.createDirectories(p.getParent());
                Files.writeString(p, f.getValue());
                if (f.getKey().contains(".s2i/bin/")) {
                    p.toFile().setExecutable(true);
                }
            }
        }
        return commitAll(work, message);
    }

    /**
     * Replaces {@code path} (a file, a directory or nothing yet) with a symbolic link to {@code target} on branch
     * {@code main} of the bare repository {@code name}, commits and pushes; returns the new commit.
     */
    public String link(String name, String path, String target, String message) throws IOException {
        Path work = workTree(name);
        Path p = work.resolve(path);
        if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
            try (Stream<Path> tree = Files.walk(p)) {
                for (Path q : tree.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(q);
                }
            }
        }
        Files.createDirectories(p.getParent());
        Files.createSymbolicLink(p, Path.of(target));
        return commitAll(work, message);
    }

    /** The working clone of {@code name}'s bare repository, on branch main. */
    private Path workTree(String name) throws IOException {
        Path bare = root.resolve(name + ".git");
        Path work = root.resolve(name + "-work");
        if (!Files.exists(work)) {
            git(null, "clone", "-q", bare.toString(), work.toString());
            git(work, "checkout", "-q", "-B", "main");
        }
        return work;
    }

    private static String commitAll(Path work, String message) throws IOException {
        git(work, "add", "-A");
        git(work, "-c", "user.name=Cascade Test", "-c", "user.email=test@cascade.dev", "commit", "-q", "--allow-empty", "-m", message);
        git(work, "push", "-q", "origin", "HEAD:main");
        return git(work, "rev-parse", "HEAD").trim();
    }

    private static String git(Path dir, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add("git");
        if (dir != null) {
            cmd.add("-C");
            cmd.add(dir.toString());
        }
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out;
    }
}
