package dev.cascade.infra;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * How a packaged service is started outside a container, the same way its container image starts it:
 * {@code java @jvm.options -jar quarkus-run.jar} in the service's {@code target/quarkus-app}. The JVM options live only
 * in {@code jvm.options} (copied there from {@code deploy/jvm.options} when the service is packaged), and their relative
 * paths ({@code app-cds.jsa}) are resolved against that directory, which is why it is the working directory.
 */
public final class ServiceLaunch {

    /** The argument file beside {@code quarkus-run.jar}. */
    public static final String JVM_OPTIONS = "jvm.options";

    private ServiceLaunch() {
    }

    /** The packaged application of {@code module} under the repository {@code root}. */
    public static Path app(Path root, String module) {
        return root.resolve(module).resolve("target/quarkus-app");
    }

    /**
     * A process builder for {@code module}'s service, with the command and working directory set; the caller adds the
     * environment and where the output goes. The paths are absolute, so a process list tells the services apart.
     */
    public static ProcessBuilder processBuilder(Path root, String module) throws IOException {
        Path app = app(root, module).toAbsolutePath();
        Path jar = app.resolve("quarkus-run.jar");
        Path options = app.resolve(JVM_OPTIONS);
        for (Path required : new Path[] {jar, options}) {
            if (!Files.isRegularFile(required)) {
                throw new IOException(required + " is missing: package the services first (mvn -DskipTests install)");
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "@" + options, "-jar", jar.toString()).directory(app.toFile());
    }
}
