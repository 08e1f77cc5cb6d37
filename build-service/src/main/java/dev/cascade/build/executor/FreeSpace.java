package dev.cascade.build.executor;

import dev.cascade.buildstep.process.BuildStepException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The free-space floor a build needs before it starts ({@code CASCADE_BUILD_MIN_FREE_SPACE}): a workspace, image storage
 * or log directory on a disk below it fails the build at once with the reason, rather than halfway through a layer
 * with whatever error the tool that hit the full disk prints.
 */
public final class FreeSpace {

    private FreeSpace() {
    }

    /**
     * @throws BuildStepException (not transient: a full disk stays full until someone frees it) when a directory's disk
     *                            has less than {@code floorBytes} usable
     */
    public static void require(long floorBytes, Path... dirs) {
        for (Path dir : dirs) {
            long usable;
            try {
                usable = Files.getFileStore(existing(dir)).getUsableSpace();
            } catch (IOException e) {
                throw new BuildStepException("the free space of " + dir + " cannot be read: " + e.getMessage(), false);
            }
            if (usable < floorBytes) {
                throw new BuildStepException("not enough disk space for a build: " + dir + " has " + mib(usable) + " free, below the floor of "
                        + mib(floorBytes) + " (CASCADE_BUILD_MIN_FREE_SPACE); free space on that disk and start the build again", false);
            }
        }
    }

    /** The directory, or its nearest parent that exists (a workspace is created by the build itself). */
    private static Path existing(Path dir) {
        Path p = dir.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        return p == null ? dir.toAbsolutePath().getRoot() : p;
    }

    private static String mib(long bytes) {
        return bytes / (1024 * 1024) + " MiB";
    }
}
