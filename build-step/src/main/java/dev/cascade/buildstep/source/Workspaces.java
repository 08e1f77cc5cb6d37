package dev.cascade.buildstep.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** Removes the directories that checkouts and builds work in once they are done with them. */
public final class Workspaces {

    private Workspaces() {
    }

    /** Removes a directory and all it holds; what cannot be removed is left for the OS's temp cleanup. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a leftover workspace is removed with the next cleanup of the work dir
        }
    }
}
