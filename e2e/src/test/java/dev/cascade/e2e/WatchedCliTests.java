package dev.cascade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.e2e.CliTests.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code cascade watched}, the packaged jar run as its own process, against build-service's watched-images API as
 * its contract describes it ({@link WatchedImagesStub}): the command is a client, and that shape is what it reads.
 */
class WatchedCliTests {

    WatchedImagesStub buildService;
    JsonNode served;

    @BeforeEach
    void startBuildService() throws IOException {
        served = WatchedImagesStub.watchedTags(Instant.now());
        buildService = new WatchedImagesStub(served);
    }

    @AfterEach
    void stopBuildService() {
        buildService.close();
    }

    /** Runs {@code cascade args...} against the stub with its token in {@code CASCADE_TOKEN}, to its end. */
    Run cascade(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", CliTests.JAR.toString(), "--build-url", buildService.url()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("CASCADE_TOKEN", WatchedImagesStub.TOKEN);
        Path out = Files.createTempFile("cascade-out", ".txt");
        Path err = Files.createTempFile("cascade-err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(1, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("cascade " + String.join(" ", args) + " did not end within a minute");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** The line of the output that starts with {@code start}. */
    static String line(Run run, String start) {
        return run.out().lines().filter(l -> l.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with " + start + " in\n" + run));
    }

    @Test
    void watchedListsEveryTagWithItsChecksAndEachRegistrysBudgetBelow() throws Exception {
        Run run = cascade("watched");

        assertThat(run.exit()).as(run::toString).isZero();
        assertThat(run.out().lines().findFirst().orElseThrow())
                .matches("IMAGE +WATCHED FOR +LAST DIGEST +LAST CHECKED +NEXT CHECK +ERROR");
        assertThat(line(run, "docker.io/library/debian:bookworm")).matches("docker\\.io/library/debian:bookworm +"
                + Pattern.quote("configs app, mid1; builder s2i-app; workload team-a/Deployment/web")
                + " +sha256:4f1c9a7d2e8b +3m0\\ds ago +in 6m5\\ds +-");
        // never checked yet, and watched for more configs than are named
        assertThat(line(run, "docker.io/library/python:3.12")).matches("docker\\.io/library/python:3\\.12 +3 configs +- +- +due +-");
        assertThat(line(run, "quay.io/team/builder:2")).matches("quay\\.io/team/builder:2 +builder s2i-python +sha256:9b8c7d6e5f4a"
                + " +3m0\\ds ago +in 6m5\\ds +toomanyrequests: rate limit exceeded retry later");
        assertThat(run.out()).containsPattern("(?m)^$\\n^REGISTRY +REMAINING +BACKOFF UNTIL +ERROR$");
        assertThat(line(run, "docker.io ")).matches("docker\\.io +590/600 per hour +- +-");
        assertThat(line(run, "quay.io ")).matches("quay\\.io +0/300 per hour +\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d +HTTP 429 toomanyrequests");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void failingAndRegistryAskBuildServiceForOnlyThoseTags() throws Exception {
        Run failing = cascade("watched", "--failing");

        assertThat(failing.exit()).as(failing::toString).isZero();
        assertThat(buildService.queries.get(0)).isEqualTo(Map.of("failing", "true"));
        assertThat(failing.out()).contains("quay.io/team/builder:2").doesNotContain("debian").doesNotContain("docker.io ");

        Run docker = cascade("watched", "--registry", "docker.io");

        assertThat(docker.exit()).as(docker::toString).isZero();
        assertThat(buildService.queries.get(1)).isEqualTo(Map.of("registry", "docker.io"));
        assertThat(docker.out()).contains("docker.io/library/debian:bookworm", "docker.io/library/python:3.12").doesNotContain("quay.io");
    }

    @Test
    void jsonIsWhatBuildServiceAnswered() throws Exception {
        Run run = cascade("watched", "-o", "json");

        assertThat(run.exit()).as(run::toString).isZero();
        assertThat(CliTests.JSON.readTree(run.out())).isEqualTo(served);
    }

    @Test
    void noWatchedTagsIsSaidInOneLine() throws Exception {
        buildService.answer(CliTests.JSON.createArrayNode());

        Run all = cascade("watched");
        Run failing = cascade("watched", "--failing");

        assertThat(all.exit()).as(all::toString).isZero();
        assertThat(all.out()).isEqualTo("No watched images.\n");
        assertThat(failing.out()).isEqualTo("No watched image is failing.\n");
    }

    @Test
    void aBuildServiceWithoutTheWatcherIsNotFoundAndAWrongTokenExitsSix() throws Exception {
        buildService.answer(null);

        Run none = cascade("watched");

        assertThat(none.exit()).as(none::toString).isEqualTo(3);
        assertThat(none.err()).isEqualTo("cascade: not found: GET " + buildService.url() + "/api/watched-images\n");

        Run wrong = cascade("--token", "not-the-token", "watched");

        assertThat(wrong.exit()).as(wrong::toString).isEqualTo(6);
        assertThat(wrong.err()).isEqualTo("cascade: build-service did not accept the API token (401): set --token or CASCADE_TOKEN\n");
    }
}
