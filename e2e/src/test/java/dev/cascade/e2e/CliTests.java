package dev.cascade.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.CascadeSystem;
import dev.cascade.testsupport.FollowingDeployment;
import dev.cascade.testsupport.GitRepos;
import dev.cascade.testsupport.TestTokens;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The {@code cascade} command line as a person uses it: the packaged jar run as its own process against the
 * running system, judged by what it prints and the exit code it ends with.
 */
@ExtendWith(RunningSystem.class)
class CliTests {

    static final String NS = RunningSystem.NAMESPACE;
    static final Path JAR = Path.of("..", "cli", "target", "cascade-cli.jar").toAbsolutePath().normalize();
    static final ObjectMapper JSON = new ObjectMapper();

    static CascadeSystem system;
    static KubernetesClient kube;
    static GitRepos git;
    static String reg;

    /** What one run of the command printed and how it ended. */
    record Run(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    @BeforeAll
    static void configs() throws Exception {
        system = RunningSystem.get();
        kube = system.kubernetes();
        reg = system.registry().host();
        git = new GitRepos(system.work().resolve("git-cli"));
        config("cli-hello", "FROM scratch\nCOPY hello.txt /hello.txt\n", Map.of("hello.txt", "hello"));
        config("cli-broken", "FROM scratch\nCOPY missing.txt /missing.txt\n", Map.of("other.txt", "not what the Dockerfile wants"));
        config("cli-app", "FROM scratch\nCOPY app.txt /app.txt\n", Map.of("app.txt", "v1"));
    }

    static String image(String name) {
        return reg + "/cli/" + name + ":1";
    }

    static void config(String name, String dockerfile, Map<String, String> files) throws IOException {
        String repo = git.create(name);
        Map<String, String> all = new java.util.HashMap<>(files);
        all.put("Dockerfile", dockerfile);
        git.commit(name, all, name);
        String output = image(name.substring("cli-".length()));
        given().baseUri(system.build().url()).contentType("application/json")
                .body("{\"name\":\"%s\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s\"}".formatted(name, repo, output))
                .post("/api/build-configs").then().statusCode(201);
    }

    static List<String> command(String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", JAR.toString(),
                "--trigger-url", system.trigger().url(), "--build-url", system.build().url(), "--deploy-url", system.deploy().url()));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** {@code cascade args...} with the operator's API token in {@code CASCADE_TOKEN}, as a user would set it. */
    static ProcessBuilder process(String... args) {
        ProcessBuilder pb = new ProcessBuilder(command(args));
        pb.environment().put("CASCADE_TOKEN", TestTokens.OPERATOR);
        return pb;
    }

    /** Runs {@code cascade args...} to its end (at most three minutes). */
    static Run cascade(String... args) throws IOException, InterruptedException {
        Path out = Files.createTempFile("cascade-out", ".txt");
        Path err = Files.createTempFile("cascade-err", ".txt");
        Process p = process(args).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("cascade " + String.join(" ", args) + " did not end within 3 minutes; it printed:\n"
                    + Files.readString(out) + Files.readString(err));
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static JsonNode json(Run run) throws IOException {
        assertThat(run.exit()).as(run::toString).isZero();
        return JSON.readTree(run.out());
    }

    static String startedBuild(Run run) {
        assertThat(run.exit()).as(run::toString).isZero();
        String id = run.out().lines().findFirst().orElseThrow();
        assertThat(UUID.fromString(id)).isNotNull();
        return id;
    }

    @Test
    void buildsStartFollowsTheLogOfARealBuildAndExitsZeroWhenItSucceeds() throws Exception {
        Run started = cascade("builds", "start", "cli-hello", "--follow");

        String id = startedBuild(started);
        assertThat(started.out()).contains("COPY hello.txt /hello.txt");
        assertThat(started.err()).contains("build cli-hello #").contains("succeeded");

        Run logs = cascade("builds", "logs", id, "-f");
        assertThat(logs.exit()).as(logs::toString).isZero();
        assertThat(logs.out()).contains("COPY hello.txt /hello.txt");

        JsonNode build = json(cascade("builds", "logs", id, "--output", "json"));
        assertThat(build.path("status").asText()).isEqualTo("succeeded");
        assertThat(build.path("log").asText()).contains("COPY hello.txt /hello.txt");

        Run list = cascade("builds", "list", "--config", "cli-hello");
        assertThat(list.out()).contains(id).contains("succeeded");
    }

    @Test
    void followingTheLogOfAFailingBuildExitsOne() throws Exception {
        String id = startedBuild(cascade("builds", "start", "cli-broken"));

        Run logs = cascade("builds", "logs", id, "-f");

        assertThat(logs.exit()).as(logs::toString).isEqualTo(1);
        assertThat(logs.out()).contains("missing.txt");
        assertThat(logs.err()).contains("build cli-broken #").contains("failed");
    }

    @Test
    void anUnknownBuildIsNotFound() throws Exception {
        String unknown = UUID.randomUUID().toString();

        Run logs = cascade("builds", "logs", unknown);

        assertThat(logs.exit()).as(logs::toString).isEqualTo(3);
        assertThat(logs.err()).isEqualTo("cascade: no build " + unknown + "\n");
        assertThat(logs.out()).isEmpty();
    }

    @Test
    void anUnknownConfigIsNotFoundAndAnInvalidRequestIsAServiceError() throws Exception {
        Run unknown = cascade("builds", "start", "cli-no-such-config");
        assertThat(unknown.exit()).as(unknown::toString).isEqualTo(3);
        assertThat(unknown.err()).startsWith("cascade: no build config cli-no-such-config");

        Run invalid = cascade("builds", "list", "--status", "sleeping");
        assertThat(invalid.exit()).as(invalid::toString).isEqualTo(4);
        assertThat(invalid.err()).startsWith("cascade: build-service answered 400: status must be one of");
    }

    @Test
    void aServiceThatCannotBeReachedExitsFive() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }

        Run run = cascade("--build-url", "http://127.0.0.1:" + closed, "builds", "list");

        assertThat(run.exit()).as(run::toString).isEqualTo(5);
        assertThat(run.err()).isEqualTo("cascade: cannot reach build-service at http://127.0.0.1:" + closed + ": connection refused\n");
    }

    @Test
    void aTokenThatIsNotAcceptedExitsSixAndAViewerMayReadButNotStartABuild() throws Exception {
        Run wrong = cascade("--token", "not-a-token-of-this-system", "pipelines");
        assertThat(wrong.exit()).as(wrong::toString).isEqualTo(6);
        assertThat(wrong.err()).isEqualTo("cascade: trigger-service did not accept the API token (401): set --token or CASCADE_TOKEN\n");

        Run read = cascade("--token", TestTokens.VIEWER, "builds", "list");
        assertThat(read.exit()).as(read::toString).isZero();

        Run act = cascade("--token", TestTokens.VIEWER, "builds", "start", "cli-hello");
        assertThat(act.exit()).as(act::toString).isEqualTo(6);
        assertThat(act.err()).isEqualTo("cascade: build-service refused POST /api/build-configs/cli-hello/builds (403): "
                + "the API token's role may not do this (operator needed)\n");
    }

    @Test
    void aMistypedCommandIsAUsageError() throws Exception {
        Run run = cascade("rollback", "just-a-name");

        assertThat(run.exit()).as(run::toString).isEqualTo(2);
        assertThat(run.err()).startsWith("cascade: WORKLOAD must be namespace/kind/name or namespace/name");
    }

    @Test
    void pipelineShowsTheTreeOfABuildAndFollowsItToItsEnd() throws Exception {
        JsonNode build = json(cascade("builds", "start", "cli-hello", "--output", "json"));
        String pipeline = build.path("pipelineId").asText();

        Run followed = cascade("pipeline", pipeline, "--follow");

        assertThat(followed.exit()).as(followed::toString).isZero();
        assertThat(followed.out()).contains("build cli-hello #" + build.path("number").asText() + "  succeeded");
        // the image the build pushed joins the tree when the registry's notification has been taken in
        Run shown = await().atMost(Duration.ofMinutes(1)).until(() -> cascade("pipeline", pipeline), r -> r.out().contains("└─ image"));
        assertThat(shown.exit()).as(shown::toString).isZero();
        assertThat(shown.out()).startsWith("pipeline " + pipeline + "  succeeded")
                .contains("trigger  build of cli-hello")
                .containsPattern("(?m)^build cli-hello #\\d+  succeeded  \\d+(ms|s|m\\d\\ds)$")
                .containsPattern("(?m)^└─ image " + Pattern.quote(image("hello")) + "@sha256:[0-9a-f]{12}  pushed$");
        JsonNode tree = json(cascade("pipeline", pipeline, "--output", "json"));
        assertThat(tree.path("id").asText()).isEqualTo(pipeline);
        assertThat(tree.path("root").path("kind").asText()).isEqualTo("build");
        assertThat(tree.path("root").path("children").get(0).path("kind").asText()).isEqualTo("image");

        Run list = cascade("pipelines", "--limit", "100");
        assertThat(list.out()).contains(pipeline).contains("build of cli-hello");
        JsonNode listed = json(cascade("pipelines", "--output", "json", "--limit", "100"));
        assertThat(listed.findValuesAsText("id")).contains(pipeline);
    }

    @Test
    void aFailedPipelineFollowedExitsOne() throws Exception {
        JsonNode build = json(cascade("builds", "start", "cli-broken", "--output", "json"));

        Run followed = cascade("pipeline", build.path("pipelineId").asText(), "--follow");

        assertThat(followed.exit()).as(followed::toString).isEqualTo(1);
        assertThat(followed.out()).contains("build cli-broken #" + build.path("number").asText() + "  failed");
    }

    @Test
    void anUnknownPipelineIsNotFound() throws Exception {
        Run run = cascade("pipeline", UUID.randomUUID().toString());

        assertThat(run.exit()).as(run::toString).isEqualTo(3);
        assertThat(run.err()).startsWith("cascade: no pipeline ");
    }

    @Test
    void impactListsTheWavesOfConfigsANewBaseWouldRebuild() throws Exception {
        // lib FROM an outside base, svc FROM lib: each built once, so Cascade knows what they are built on
        Path ctx = Files.createDirectories(system.work().resolve("cli-base"));
        Files.writeString(ctx.resolve("base.txt"), "base");
        Files.writeString(ctx.resolve("Dockerfile"), "FROM scratch\nCOPY base.txt /base.txt\n");
        new Buildah(system.work().resolve("buildah-cli")).buildAndPush(ctx, image("base"));
        config("cli-lib", "FROM " + image("base") + "\nCOPY lib.txt /lib.txt\n", Map.of("lib.txt", "lib"));
        config("cli-svc", "FROM " + image("lib") + "\nCOPY svc.txt /svc.txt\n", Map.of("svc.txt", "svc"));
        startedBuild(cascade("builds", "start", "cli-lib", "--follow"));
        startedBuild(cascade("builds", "start", "cli-svc", "--follow"));

        Run run = cascade("impact", image("base"));

        assertThat(run.exit()).as(run::toString).isZero();
        assertThat(run.out()).startsWith("A new digest of " + image("base") + " rebuilds 2 configs:")
                .containsPattern("(?m)^  wave 1 +cli-lib +" + Pattern.quote(image("lib")) + "$")
                .containsPattern("(?m)^  wave 2 +cli-svc +" + Pattern.quote(image("svc")) + " +after cli-lib$")
                .contains("No workload would roll out.");
        JsonNode impact = json(cascade("impact", image("base"), "--output", "json"));
        assertThat(impact.path("builds").asInt()).isEqualTo(2);
        assertThat(impact.path("waves").findValuesAsText("config")).containsExactly("cli-lib", "cli-svc");
    }

    @Test
    void rolloutsListsTwoSuccessfulRolloutsAndRollbackPutsThePreviousImageBack() throws Exception {
        // a Deployment following cli/app, created once deploy-service knows the first build's digest
        String first = startedBuild(cascade("builds", "start", "cli-app", "--follow"));
        String v1 = given().baseUri(system.build().url()).get("/api/builds/" + first).then().extract().path("digest");
        await().atMost(Duration.ofMinutes(1)).until(() -> given().baseUri(system.deploy().url()).queryParam("image", image("app"))
                .get("/api/image-pushes").then().extract().jsonPath().getList("digest", String.class).contains(v1));
        deployment("cli-web", image("app"));

        String v2 = buildNew("v2");
        awaitRunning("cli-web", reg + "/cli/app@" + v2);
        await().atMost(Duration.ofMinutes(1)).until(() -> succeededRollouts("cli-web") == 1);
        String v3 = buildNew("v3");
        awaitRunning("cli-web", reg + "/cli/app@" + v3);
        await().atMost(Duration.ofMinutes(1)).until(() -> succeededRollouts("cli-web") == 2);

        Run rollouts = cascade("rollouts", "--namespace", NS, "--workload", "cli-web");
        assertThat(rollouts.exit()).as(rollouts::toString).isZero();
        assertThat(rollouts.out().lines().filter(l -> l.contains(NS + "/Deployment/cli-web") && l.contains("succeeded"))).hasSize(2);
        assertThat(impactOfApp()).contains("1 workload would roll out:").containsPattern(NS + "/Deployment/cli-web +web +"
                + Pattern.quote(image("app")) + " +digest");

        Run rollback = cascade("rollback", NS + "/cli-web");

        assertThat(rollback.exit()).as(rollback::toString).isZero();
        assertThat(rollback.out()).startsWith("Rolled back " + NS + "/Deployment/cli-web container web to " + reg + "/cli/app@" + v2)
                .contains("rolledback");
        assertThat(running("cli-web")).isEqualTo(reg + "/cli/app@" + v2);
        JsonNode after = json(cascade("rollouts", "--workload", "cli-web", "--output", "json"));
        assertThat(after.findValuesAsText("status")).containsExactlyInAnyOrder("rolledback", "succeeded");

        Run nothingToRollBack = cascade("rollback", NS + "/Deployment/cli-nothing-here");
        assertThat(nothingToRollBack.exit()).as(nothingToRollBack::toString).isEqualTo(4);
        assertThat(nothingToRollBack.err()).startsWith("cascade: deploy-service answered 400: no successful rollout of " + NS + "/Deployment/cli-nothing-here");
    }

    @Test
    void pipelinesFollowPrintsALineForANewPipeline() throws Exception {
        Process follow = process("pipelines", "--follow", "--limit", "1")
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        StringBuffer out = new StringBuffer();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(follow.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    out.append(line).append('\n');
                }
            } catch (IOException e) {
                // the process was ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        try {
            // the listing is printed once the stream is open: from then on no change is missed
            await().atMost(Duration.ofSeconds(30)).until(() -> out.toString().startsWith("ID "));

            JsonNode build = json(cascade("builds", "start", "cli-hello", "--output", "json"));
            String pipeline = build.path("pipelineId").asText();

            await().atMost(Duration.ofMinutes(2)).until(() -> out.toString().lines()
                    .anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d  " + pipeline + "  succeeded  build of cli-hello  builds 1 succeeded.*")));
            assertThat(follow.isAlive()).isTrue();
        } finally {
            follow.destroy();
            follow.waitFor(10, TimeUnit.SECONDS);
        }
    }

    static String buildNew(String content) throws Exception {
        git.commit("cli-app", Map.of("app.txt", content), content);
        String id = startedBuild(cascade("builds", "start", "cli-app", "--follow"));
        return given().baseUri(system.build().url()).get("/api/builds/" + id).then().extract().path("digest");
    }

    static String impactOfApp() throws Exception {
        Run run = cascade("impact", image("app"));
        assertThat(run.exit()).as(run::toString).isZero();
        return run.out();
    }

    static long succeededRollouts(String name) {
        return given().baseUri(system.deploy().url()).queryParam("workload", name).get("/api/rollouts").then().extract().jsonPath()
                .getList("status", String.class).stream().filter("succeeded"::equals).count();
    }

    static void awaitRunning(String name, String image) {
        await().atMost(Duration.ofMinutes(2)).until(() -> image.equals(running(name)));
    }

    static String running(String name) {
        return FollowingDeployment.image(kube, NS, name);
    }

    static void deployment(String name, String image) {
        kube.apps().deployments().inNamespace(NS).resource(FollowingDeployment.of(NS, name, image, 2, 60)).create();
    }
}
