package dev.cascade.e2e;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.cascade.infra.InfraProcess;
import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.GitRepos;
import dev.cascade.testsupport.LocalRegistry;
import dev.cascade.testsupport.ServiceProcess;
import dev.cascade.testsupport.TestTokens;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * build-service started with the environment {@code docker-compose.yml} gives its container, as
 * {@code docker-compose config} resolves it, builds from a git repository and pushes to a registry over plain HTTP.
 *
 * <p>The environment is used as compose resolves it, with the API tokens taken from the shell as a user's would be
 * ({@code CASCADE_API_OPERATOR_TOKENS}, {@code CASCADE_API_VIEWER_TOKENS} set for the {@code docker-compose} process).
 * Only what cannot exist outside compose's network is replaced, by plain text substitution in every value:
 * <ul>
 *   <li>{@code kafka:9092} by this test's KRaft broker and {@code postgres:5432} by its PostgreSQL server (both
 *       {@link InfraProcess}): those host names resolve only on compose's network. The database user and password
 *       ({@code postgres}) are kept: the test's server has that user with that password.</li>
 *   <li>{@code registry:5000} by {@code 127.0.0.2:PORT}, a Distribution registry of this test listening on that
 *       loopback address over plain HTTP, in every setting that names it ({@code CASCADE_REGISTRY},
 *       {@code CASCADE_REGISTRY_ALIASES} and {@code CASCADE_BUILD_INSECURE_REGISTRIES}). The name is neither
 *       {@code localhost} nor {@code 127.0.0.1}, build-service's default insecure registries, which compose's
 *       {@code CASCADE_BUILD_INSECURE_REGISTRIES} replaces: buildah speaks plain HTTP to it only because that setting
 *       names the registry, and speaking TLS to it fails.</li>
 *   <li>Paths inside build-service's volumes ({@code /var/lib/cascade/...}) by the same paths under a directory of
 *       this test: the volume is the container's, and the test requires that the work, storage and log directories
 *       are on one of build-service's volumes.</li>
 * </ul>
 * Added, since compose leaves it at its default: {@code CASCADE_BUILD_PORT}, a free port (8082 may be taken on the
 * machine running the tests). Kept as compose gives it though it resolves only there: {@code CASCADE_DEPLOY_URL}
 * ({@code http://deploy-service:8083}), which nothing in this test asks.
 */
class ComposeBuildServiceTests {

    /** The name the test's registry is reached by; not one of build-service's default insecure registries. */
    static final String REGISTRY_ADDRESS = "127.0.0.2";

    static Path work;
    static InfraProcess infra;
    static LocalRegistry registry;
    static ServiceProcess build;
    static Map<String, String> composeEnv;
    static Map<String, String> env;

    @BeforeAll
    static void startBuildServiceAsComposeConfiguresIt() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        work = Files.createTempDirectory("cascade-compose");
        TestTokens.authenticateRestAssured();

        JsonNode service = composeConfig(root).path("services").path("build-service");
        composeEnv = new LinkedHashMap<>();
        service.path("environment").fields().forEachRemaining(e -> composeEnv.put(e.getKey(), e.getValue().asText()));

        infra = InfraProcess.start(work.resolve("infra"), List.of("build"), Duration.ofMinutes(3));
        registry = LocalRegistry.startOn(work.resolve("registry"), REGISTRY_ADDRESS);

        Map<String, String> replaced = new LinkedHashMap<>();
        replaced.put("kafka:9092", infra.kafkaBootstrapServers());
        replaced.put("postgres:5432", "127.0.0.1:" + infra.postgresPort());
        replaced.put("registry:5000", registry.host());
        for (JsonNode volume : service.path("volumes")) {
            String target = containerPath(volume);
            replaced.put(target, work.resolve("volumes").toString() + target);
        }
        env = new LinkedHashMap<>();
        composeEnv.forEach((name, value) -> {
            String v = value;
            for (Map.Entry<String, String> r : replaced.entrySet()) {
                v = v.replace(r.getKey(), r.getValue());
            }
            env.put(name, v);
        });
        int port = InfraProcess.freePorts(1)[0];
        env.put("CASCADE_BUILD_PORT", Integer.toString(port));

        build = ServiceProcess.start(root, "build-service", port, work.resolve("logs"), env);
        build.awaitReady(Duration.ofMinutes(3));
    }

    @AfterAll
    static void stop() throws IOException {
        if (build != null) {
            build.close();
            Path logs = Files.createDirectories(Path.of("target", "e2e-logs"));
            Files.copy(build.log, logs.resolve("compose-build-service.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (registry != null) {
            registry.close();
        }
        if (infra != null) {
            infra.close();
        }
    }

    @Test
    void composesBuildServiceBuildsFromGitAndPushesToTheRegistryOverPlainHttp() throws Exception {
        assertThat(composeEnv).as("build-service's environment in docker-compose.yml")
                .containsEntry("CASCADE_BUILD_INSECURE_REGISTRIES", "registry:5000")
                .containsKeys("CASCADE_BUILD_WORK_DIR", "CASCADE_BUILD_STORAGE_ROOT", "CASCADE_BUILD_LOG_DIR");
        for (String dir : List.of("CASCADE_BUILD_WORK_DIR", "CASCADE_BUILD_STORAGE_ROOT", "CASCADE_BUILD_LOG_DIR")) {
            assertThat(Path.of(env.get(dir))).as(dir + " is on one of build-service's volumes").startsWithRaw(work.resolve("volumes"));
        }
        assertThat(env.get("CASCADE_BUILD_INSECURE_REGISTRIES")).isEqualTo(registry.host());

        // a base with a shell, pushed from outside as a team publishing a base would
        String base = registry.host() + "/compose/base:1";
        new Buildah(work.resolve("buildah")).pushBusybox(base);
        String baseDigest = registry.digest("compose/base", "1");

        GitRepos git = new GitRepos(work.resolve("git"));
        String repository = git.create("app");
        String commit = git.commit("app", Map.of(
                "Dockerfile", "FROM " + base + "\nCOPY app.txt /app.txt\nRUN cp /app.txt /built.txt\n",
                "app.txt", "built by compose's build-service\n"), "app");
        String output = registry.host() + "/compose/app:1";
        given().baseUri(build.url()).contentType("application/json")
                .body("{\"name\":\"app\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s\"}".formatted(repository, output))
                .post("/api/build-configs").then().statusCode(201);

        String id = given().baseUri(build.url()).contentType("application/json").body("{}")
                .post("/api/build-configs/app/builds").then().statusCode(202).extract().path("id");
        String status = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> given().baseUri(build.url()).get("/api/builds/" + id).then().extract().path("status"),
                        s -> List.of("succeeded", "failed", "cancelled").contains(s));
        String log = given().baseUri(build.url()).get("/api/builds/" + id + "/log").asString();
        assertThat(status).as(log).isEqualTo("succeeded");

        JsonPath finished = given().baseUri(build.url()).get("/api/builds/" + id).then().extract().jsonPath();
        assertThat(finished.getString("commit")).isEqualTo(commit);
        assertThat(registry.digest("compose/app", "1")).isEqualTo(finished.getString("digest"));
        assertThat(registry.labels("compose/app", "1"))
                .containsEntry("org.opencontainers.image.source", repository)
                .containsEntry("org.opencontainers.image.revision", commit)
                .containsEntry("org.opencontainers.image.base.name", base)
                .containsEntry("org.opencontainers.image.base.digest", baseDigest);
        assertThat(registry.files("compose/app", "1")).containsEntry("built.txt", "built by compose's build-service\n");
        assertThat(log).contains("push --tls-verify=false");
    }

    /** {@code docker-compose config} of the repository's compose file, parsed, with the test's API tokens in the shell. */
    static JsonNode composeConfig(Path root) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("docker-compose", "-f", root.resolve("docker-compose.yml").toString(), "config")
                .directory(root.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(Files.createDirectories(work).resolve("docker-compose.err").toFile()));
        pb.environment().putAll(TestTokens.env());
        pb.environment().put("CASCADE_DEPLOY_TOKEN", TestTokens.VIEWER);
        Process p = pb.start();
        String yaml = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
            throw new IllegalStateException("docker-compose config failed: " + Files.readString(work.resolve("docker-compose.err")));
        }
        return new YAMLMapper().readTree(yaml);
    }

    /** The path inside the container of a volume in {@code docker-compose config}'s short form, {@code source:target[:mode]}. */
    static String containerPath(JsonNode volume) {
        if (volume.isObject()) {
            return volume.path("target").asText();
        }
        String[] parts = volume.asText().split(":");
        return parts.length == 1 ? parts[0] : parts[1];
    }
}
