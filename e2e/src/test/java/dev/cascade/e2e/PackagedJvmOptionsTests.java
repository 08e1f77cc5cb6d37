package dev.cascade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.infra.ServiceLaunch;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Each packaged service carries its JVM options ({@code deploy/jvm.options}) and a class data archive beside
 * {@code quarkus-run.jar}, and the archive is one this JVM maps with those options: started as every way of running
 * starts it, but with {@code -Xshare:on} (a JVM that cannot use the archive refuses to start instead of going on
 * without it) and {@code -XX:+PrintSharedArchiveAndExit} (the JVM checks the archive against the classpath and exits).
 */
class PackagedJvmOptionsTests {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    @ParameterizedTest
    @ValueSource(strings = {"trigger-service", "build-service", "deploy-service"})
    void theArchiveBesideTheJarIsValidForThisJvmWithTheShippedOptions(String module) throws Exception {
        Path app = ServiceLaunch.app(ROOT, module);
        assertThat(Files.readString(app.resolve(ServiceLaunch.JVM_OPTIONS)))
                .as("the shipped options use the archive").contains("-XX:SharedArchiveFile=app-cds.jsa");
        assertThat(app.resolve("app-cds.jsa")).as("made when %s was packaged", module).isRegularFile();

        ProcessBuilder shipped = ServiceLaunch.processBuilder(ROOT, module);
        List<String> command = new ArrayList<>(shipped.command());
        command.addAll(2, List.of("-Xshare:on", "-XX:+PrintSharedArchiveAndExit"));
        Process check = shipped.command(command).redirectErrorStream(true).start();
        String output = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(60, TimeUnit.SECONDS)).isTrue();

        assertThat(check.exitValue()).as(output).isZero();
        assertThat(output).contains("archive is valid");
        assertThat(archivedClasses(output)).as("classes of %s in its archive", module).isGreaterThan(2_000);
    }

    /** The classes the application's (dynamic) archive holds, as {@code -XX:+PrintSharedArchiveAndExit} lists them. */
    static long archivedClasses(String output) {
        return output.lines().dropWhile(l -> !l.startsWith("Dynamic archive name:"))
                .filter(l -> l.matches("^\\s*\\d+: .*")).count();
    }
}
