package dev.cascade.buildstep.source;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Resolves a path a build config names (its context dir, its Dockerfile) inside a checkout. The repository
 * is not trusted: a path that leaves the checkout, by {@code ..} or through a symbolic link committed to the
 * repository, is refused before anything reads it.
 */
public final class CheckoutPaths {

    /**
     * A configured path that cannot be used; {@code field} names the config field. Checked, so that no caller can
     * let it fall into a broad catch and go on with the path.
     */
    public static final class Refused extends Exception {
        private final String field;
        private final String reason;

        Refused(String field, String reason) {
            super(field + " " + reason);
            this.field = field;
            this.reason = reason;
        }

        public String field() {
            return field;
        }

        /** Why, without the field's name. */
        public String reason() {
            return reason;
        }
    }

    private CheckoutPaths() {
    }

    /**
     * The Dockerfile a config names: its context dir inside the checkout, then the Dockerfile inside that context.
     *
     * @throws Refused when either path escapes the checkout or does not exist
     */
    public static DockerBuild dockerBuild(Path checkout, String contextDir, String dockerfilePath) throws IOException, Refused {
        Path context = resolve(checkout, contextDir, "source.contextDir");
        Path dockerfile = resolve(context, dockerfilePath, "source.dockerfile");
        return new DockerBuild(context, Files.isRegularFile(dockerfile) ? dockerfile : null);
    }

    /**
     * Where a Docker build reads from inside a checkout.
     *
     * @param context    the build context, the config's context dir
     * @param dockerfile the config's Dockerfile in it; null when that path is not a regular file (a directory)
     */
    public record DockerBuild(Path context, Path dockerfile) {
    }

    /**
     * Like {@link #resolve}, for a path the repository may leave out (an S2I {@code .s2i/environment}).
     *
     * @return null when it does not exist
     */
    public static Path resolveIfPresent(Path root, String relative, String field) throws IOException, Refused {
        return Files.exists(root.resolve(relative).normalize(), LinkOption.NOFOLLOW_LINKS) ? resolve(root, relative, field) : null;
    }

    /**
     * @param root     the directory the path must stay in
     * @param relative the configured path, relative to {@code root}
     * @param field    the config field it came from, for the message
     * @throws Refused when it escapes {@code root}, or does not exist (except {@code .})
     */
    public static Path resolve(Path root, String relative, String field) throws IOException, Refused {
        Path resolved = root.resolve(relative).normalize();
        if (!resolved.startsWith(root)) {
            throw new Refused(field, "escapes the workspace: " + relative);
        }
        if (!Files.exists(resolved)) {
            if (relative.equals(".")) {
                return resolved;
            }
            throw new Refused(field, "does not exist in the repository: " + relative);
        }
        if (!resolved.toRealPath().startsWith(root.toRealPath())) {
            throw new Refused(field, "escapes the workspace through a symbolic link: " + relative);
        }
        return resolved;
    }
}
