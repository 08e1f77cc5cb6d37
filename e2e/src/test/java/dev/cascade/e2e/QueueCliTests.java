package dev.cascade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cascade.e2e.CliTests.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code cascade queue}, the packaged jar run as its own process, against build-service's {@code GET /api/queue} as the
 * README documents it, served by a small stub: the command is a client, and that shape is what it reads.
 */
class QueueCliTests {

    WatchedImagesStub buildService;
    JsonNode served;

    /** The queue during a storm: one interactive build running, a cascade within its share, a paced cascade. */
    static JsonNode queue(Instant now) throws IOException {
        return CliTests.JSON.readTree("""
                {"capacity": 4, "cascadeShare": 0.5, "cascadeSlots": 2, "cascadeSlotsInUse": 2, "cascadeSlotsAllowed": 2,
                 "cascadeMaxBuildsPerMinute": 30, "executorUnavailable": null,
                 "interactive": {"queued": 0, "running": 1, "oldestWaiting": null},
                 "cascade": {"queued": 412, "running": 2, "oldestWaiting": {"id": "5b0c0f7e-6a43-4d5e-9a59-2a8f3f1c1d10", "config": "api",
                   "number": 4, "queueClass": "cascade", "pipelineId": "0e9f1c4a-1111-4a2b-8c3d-5e6f7a8b9c0d", "queuedAt": "%1$s",
                   "waitingSeconds": 95,
                   "why": "cascades hold their share: 2 of 4 slots while interactive builds run or wait (cascade share 2 of 4)"}},
                 "oldestWaiting": {"id": "5b0c0f7e-6a43-4d5e-9a59-2a8f3f1c1d10", "config": "api", "number": 4, "queueClass": "cascade",
                   "pipelineId": "0e9f1c4a-1111-4a2b-8c3d-5e6f7a8b9c0d", "queuedAt": "%1$s", "waitingSeconds": 95, "why": "…"},
                 "cascades": [{"pipelineId": "0e9f1c4a-1111-4a2b-8c3d-5e6f7a8b9c0d", "triggerImage": "registry.acme.dev/base/debian:12",
                   "queued": 412, "running": 2, "startedLastMinute": 30}]}
                """.formatted(now.minus(95, ChronoUnit.SECONDS)));
    }

    @BeforeEach
    void startBuildService() throws IOException {
        served = queue(Instant.now());
        buildService = new WatchedImagesStub(CliTests.JSON.createArrayNode());
        buildService.serve("/api/queue", exchange -> {
            if (!("Bearer " + WatchedImagesStub.TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
                WatchedImagesStub.send(exchange, 401, "{\"type\":\"about:blank\",\"title\":\"Unauthorized\",\"status\":401}");
                return;
            }
            WatchedImagesStub.send(exchange, 200, CliTests.JSON.writeValueAsString(served));
        });
    }

    @AfterEach
    void stopBuildService() {
        buildService.close();
    }

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

    static String line(Run run, String start) {
        return run.out().lines().filter(l -> l.startsWith(start)).findFirst()
                .orElseThrow(() -> new AssertionError("no line starting with " + start + " in\n" + run));
    }

    @Test
    void queueShowsEachClassTheShareInUseAndWhyTheOldestWaits() throws Exception {
        Run run = cascade("queue");

        assertThat(run.exit()).as(run::toString).isZero();
        assertThat(run.out().lines().findFirst().orElseThrow()).matches("CLASS +RUNNING +QUEUED +OLDEST WAITING +WAITING +WHY");
        assertThat(line(run, "interactive")).matches("interactive +1 +0 +- +- +-");
        assertThat(line(run, "cascade ")).matches("cascade +2 +412 +api #4 +1m3\\ds +cascades hold their share: 2 of 4 slots .*");
        assertThat(line(run, "Build slots")).isEqualTo("Build slots: 4. Cascades use 2 of the 2 they may hold now (share 0.5: 2 slots "
                + "while interactive builds run or wait); each cascade starts at most 30 builds a minute.");
        assertThat(run.out()).containsPattern("(?m)^PIPELINE +BASE IMAGE +RUNNING +QUEUED +STARTED IN LAST MINUTE$");
        assertThat(line(run, "0e9f1c4a ")).matches("0e9f1c4a +registry\\.acme\\.dev/base/debian:12 +2 +412 +30 of 30");
        assertThat(run.err()).isEmpty();
    }

    @Test
    void jsonIsWhatBuildServiceAnsweredAndAWrongTokenExitsSix() throws Exception {
        Run json = cascade("queue", "-o", "json");

        assertThat(json.exit()).as(json::toString).isZero();
        assertThat(CliTests.JSON.readTree(json.out())).isEqualTo(served);

        Run wrong = cascade("--token", "not-the-token", "queue");

        assertThat(wrong.exit()).as(wrong::toString).isEqualTo(6);
    }
}
