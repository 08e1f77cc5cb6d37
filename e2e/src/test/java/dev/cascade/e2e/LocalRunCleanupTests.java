package dev.cascade.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./cascade dev} as a user runs it, its launcher then killed with SIGKILL (a closed terminal, the OOM killer):
 * nothing of the run is left within 15 s, {@code ./cascade stop} finds nothing, and the next {@code ./cascade dev}
 * starts on the kept data. When the run's guard is killed with the launcher, {@code ./cascade stop} ends what is left
 * through the run's state. Free ports and a state directory of its own stand in for the defaults
 * ({@code CASCADE_*_PORT}, {@code CASCADE_STATE}); the services are the packaged ones.
 */
class LocalRunCleanupTests {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    static final Duration READY = Duration.ofSeconds(180);
    static final Duration GONE = Duration.ofSeconds(15);

    @TempDir
    Path state;

    Process launcher;

    @AfterEach
    void stopWhateverIsLeft() throws Exception {
        if (launcher != null && launcher.isAlive()) {
            launcher.destroy();
            launcher.waitFor(60, TimeUnit.SECONDS);
        }
        cascade("stop").waitFor(60, TimeUnit.SECONDS);
    }

    @Test
    void aKilledLauncherLeavesNothingRunningAndTheNextRunStartsOnTheKeptData() throws Exception {
        Map<String, String> env = ports();
        Files.writeString(state.resolve("build.stamp"), ""); // the packaged services are current: no build

        // first run: ready, then its launcher SIGKILLed
        launcher = dev(env, "first");
        List<ProcessHandle> parts = parts(launcher);
        assertThat(parts).as("the run's processes").hasSizeGreaterThanOrEqualTo(7); // guard, kafka, registry, 3 services, postgres
        launcher.toHandle().destroyForcibly();
        await().atMost(GONE).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(parts.stream().filter(ProcessHandle::isAlive).map(LocalRunCleanupTests::describe).toList())
                        .as("processes of the killed run still alive").isEmpty());
        assertThat(output(cascade("stop"))).contains("nothing is running");

        // second run: on the data the first kept; then launcher and guard both killed, and ./cascade stop ends the rest
        launcher = dev(env, "second");
        assertThat(Files.readString(state.resolve("second.out"))).contains("PostgreSQL restarted on its existing data");
        List<ProcessHandle> again = parts(launcher);
        again.stream().filter(p -> describe(p).contains("dev.cascade.infra.RunGuard")).forEach(ProcessHandle::destroyForcibly);
        launcher.toHandle().destroyForcibly();
        launcher.waitFor(10, TimeUnit.SECONDS);
        String stop = output(cascade("stop"));
        assertThat(stop).contains("stopping a leftover run");
        await().atMost(GONE).pollInterval(Duration.ofMillis(200)).untilAsserted(() ->
                assertThat(again.stream().filter(ProcessHandle::isAlive).map(LocalRunCleanupTests::describe).toList())
                        .as("processes of the leftover run still alive").isEmpty());
    }

    /** {@code ./cascade dev}, waited for until it says it is running. */
    Process dev(Map<String, String> env, String name) throws IOException {
        Path out = state.resolve(name + ".out");
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("cascade").toString(), "dev").directory(ROOT.toFile())
                .redirectErrorStream(true).redirectOutput(out.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        await().atMost(READY).pollInterval(Duration.ofMillis(500)).until(() -> {
            assertThat(p.isAlive()).as("./cascade dev exited: " + Files.readString(out)).isTrue();
            return Files.readString(out).contains("Cascade is running");
        });
        return p;
    }

    /** The launcher's descendants and the PostgreSQL server (detached, named by its postmaster.pid). */
    List<ProcessHandle> parts(Process launcher) throws IOException {
        List<ProcessHandle> parts = new ArrayList<>(launcher.descendants().toList());
        long postmaster = Long.parseLong(Files.readAllLines(state.resolve("data/postgres/postmaster.pid")).get(0).trim());
        ProcessHandle pg = ProcessHandle.of(postmaster).orElseThrow();
        parts.add(pg);
        parts.addAll(pg.descendants().toList());
        return parts;
    }

    Process cascade(String command) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("bash", ROOT.resolve("cascade").toString(), command).directory(ROOT.toFile())
                .redirectErrorStream(true);
        pb.environment().put("CASCADE_STATE", state.toString());
        return pb.start();
    }

    static String output(Process p) throws Exception {
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    Map<String, String> ports() throws IOException {
        Map<String, String> env = new HashMap<>();
        env.put("CASCADE_STATE", state.toString());
        String[] names = {"CASCADE_TRIGGER_PORT", "CASCADE_BUILD_PORT", "CASCADE_DEPLOY_PORT", "CASCADE_DEV_KAFKA_PORT",
                "CASCADE_DEV_KAFKA_CONTROLLER_PORT", "CASCADE_DEV_POSTGRES_PORT", "CASCADE_DEV_REGISTRY_PORT"};
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            for (String name : names) {
                ServerSocket s = new ServerSocket(0);
                sockets.add(s);
                env.put(name, Integer.toString(s.getLocalPort()));
            }
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
        return env;
    }

    static String describe(ProcessHandle p) {
        return p.pid() + " " + p.info().commandLine().orElse(p.info().command().orElse("?"));
    }
}
