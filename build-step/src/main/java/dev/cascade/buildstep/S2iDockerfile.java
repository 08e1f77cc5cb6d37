package dev.cascade.buildstep;

import dev.cascade.buildstep.process.BuildStepException;
import dev.cascade.buildstep.source.CheckoutPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Source-to-Image as a Dockerfile, the way {@code s2i build --as-dockerfile} writes it: the application
 * source is copied to {@code /tmp/src}, the builder's assemble script (or the repository's
 * {@code .s2i/bin/assemble}) runs as the builder's user, and the run script becomes the command.
 * {@code .s2i/environment} and the config's env become ENV lines.
 */
public final class S2iDockerfile {

    static final String SCRIPTS_URL_LABEL = "io.openshift.s2i.scripts-url";
    static final String DESTINATION_LABEL = "io.openshift.s2i.destination";
    private static final String DEFAULT_USER = "1001";

    private S2iDockerfile() {
    }

    /**
     * Lays out {@code buildDir} as the build context ({@code upload/src}, {@code upload/scripts}) and
     * returns the Dockerfile text.
     *
     * @param builderLabels labels of the builder image
     * @param builderUser   the builder image's configured user (may be empty)
     */
    public static String generate(String builderImage, Map<String, String> builderLabels, String builderUser, Path source,
                                  Path buildDir, Map<String, String> env) throws IOException {
        String scriptsUrl = builderLabels.get(SCRIPTS_URL_LABEL);
        if (scriptsUrl == null || !scriptsUrl.startsWith("image://")) {
            throw new BuildStepException("builder image " + builderImage + " has no " + SCRIPTS_URL_LABEL
                    + " label with an image:// URL; it is not an S2I builder", false);
        }
        String imageScripts = scriptsUrl.substring("image://".length());
        String destination = builderLabels.getOrDefault(DESTINATION_LABEL, "/tmp");
        String user = builderUser == null || builderUser.isBlank() || builderUser.equals("root") || builderUser.equals("0")
                ? DEFAULT_USER : builderUser.split(":")[0];

        // the repository's .s2i files are read on this host: a link out of the checkout is refused, not followed
        Path overrides;
        Path environment;
        try {
            overrides = CheckoutPaths.resolveIfPresent(source, ".s2i/bin", ".s2i/bin");
            environment = CheckoutPaths.resolveIfPresent(source, ".s2i/environment", ".s2i/environment");
        } catch (CheckoutPaths.Refused e) {
            throw new BuildStepException(e.getMessage(), false);
        }
        Path upload = buildDir.resolve("upload");
        copyTree(source, upload.resolve("src"));
        boolean hasOverrides = overrides != null && Files.isDirectory(overrides);
        if (hasOverrides) {
            copyTree(overrides, upload.resolve("scripts"));
        }

        Map<String, String> allEnv = new LinkedHashMap<>(environment == null ? Map.of() : readEnvironment(environment));
        allEnv.putAll(env);

        StringBuilder df = new StringBuilder();
        df.append("FROM ").append(builderImage).append('\n');
        df.append("LABEL \"io.openshift.s2i.build.image\"=\"").append(builderImage).append("\"\n");
        for (Map.Entry<String, String> e : allEnv.entrySet()) {
            df.append("ENV ").append(e.getKey()).append("=\"").append(e.getValue().replace("\\", "\\\\").replace("\"", "\\\"")).append("\"\n");
        }
        df.append("USER 0\n"); // numeric: a builder image need not have an /etc/passwd
        if (hasOverrides) {
            df.append("COPY upload/scripts ").append(destination).append("/scripts\n");
        }
        df.append("COPY upload/src ").append(destination).append("/src\n");
        df.append("RUN chown -R ").append(user).append(":0 ").append(destination).append("/src")
                .append(hasOverrides ? " " + destination + "/scripts" : "").append('\n');
        df.append("USER ").append(user).append('\n');
        df.append("RUN ").append(script("assemble", hasOverrides && Files.exists(overrides.resolve("assemble")), destination, imageScripts)).append('\n');
        df.append("CMD ").append(script("run", hasOverrides && Files.exists(overrides.resolve("run")), destination, imageScripts)).append('\n');
        return df.toString();
    }

    private static String script(String name, boolean overridden, String destination, String imageScripts) {
        return overridden ? destination + "/scripts/" + name : imageScripts + "/" + name;
    }

    /** {@code .s2i/environment}: {@code NAME=value} lines; blank lines and comments skipped. */
    static Map<String, String> readEnvironment(Path file) throws IOException {
        Map<String, String> env = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return env;
        }
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq <= 0) {
                throw new BuildStepException(".s2i/environment: '" + l + "' is not NAME=value", false);
            }
            env.put(l.substring(0, eq).strip(), l.substring(eq + 1));
        }
        return env;
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (var walk = Files.walk(from)) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                Path rel = from.relativize(p);
                if (rel.startsWith(".git")) {
                    continue;
                }
                Path target = to.resolve(rel.toString());
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(p, target, java.nio.file.LinkOption.NOFOLLOW_LINKS, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
    }
}
