package dev.cascade.bench;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.cascade.common.image.ImageRef;
import dev.cascade.testsupport.CascadeSystem;
import dev.cascade.testsupport.GitRepos;
import io.vertx.pgclient.PgPool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Build configs inserted with SQL into build-service's database ({@code build_config}, {@code config_input}), each a
 * copy of the spec of one config created over REST: creating thousands of configs over REST would read as many
 * Dockerfiles from git. Their repository does not exist, so their builds fail at checkout.
 */
final class SyntheticConfigs {

    /** One synthetic config: its name, and the image it builds FROM (canonical, tagged). */
    record Config(String name, String from) {
    }

    private final CascadeSystem system;
    private final PgPool db;
    private final String host;
    private ObjectNode templateSpec;
    private String repository;
    private String branch;
    private String strategy;

    SyntheticConfigs(CascadeSystem system, PgPool db) {
        this.system = system;
        this.db = db;
        this.host = system.registry().host();
    }

    /** Creates the config {@code bench-template} over REST, FROM {@code base}; every synthetic config copies its spec. */
    void template(Path work, String base) throws Exception {
        GitRepos git = new GitRepos(work.resolve("cascade-git"));
        String repo = git.create("bench-template");
        git.commit("bench-template", Map.of("Dockerfile", "FROM " + base + "\n"), "template");
        HttpResponse<String> r = Harness.post(system.build().url() + "/api/build-configs", "application/json",
                "{\"name\":\"bench-template\",\"source\":{\"repository\":\"%s\"},\"output\":\"%s/bench/template:1\"}".formatted(repo, host), Map.of());
        if (r.statusCode() != 201) {
            throw new IllegalStateException("template config not created: " + r.body());
        }
        Row row = db.query("SELECT repository, branch, strategy, output_image, spec FROM build_config WHERE name = 'bench-template'").execute()
                .toCompletionStage().toCompletableFuture().get().iterator().next();
        if (!canonical(host + "/bench/template:1").equals(row.getString("output_image"))) {
            throw new IllegalStateException("canonical image names differ: " + row.getString("output_image"));
        }
        templateSpec = (ObjectNode) Results.JSON.readTree(row.getString("spec"));
        repository = row.getString("repository").replace("bench-template", "bench-synthetic-missing");
        branch = row.getString("branch");
        strategy = row.getString("strategy");
    }

    /** Inserts the configs, each building {@code <registry>/bench/<name>:1}, in batches of 1,000. */
    void insert(List<Config> configs) throws Exception {
        insert(configs, repository, "sha256:" + "0".repeat(64));
    }

    /**
     * Inserts configs that build for real: each builds the template's repository (its Dockerfile is only {@code FROM}
     * the base) and pushes its own image; each as if it had last built on {@code digest}.
     */
    void insertBuildable(List<Config> configs, String digest) throws Exception {
        insert(configs, repository.replace("bench-synthetic-missing", "bench-template"), digest);
    }

    private void insert(List<Config> configs, String repository, String digest) throws Exception {
        OffsetDateTime now = OffsetDateTime.now();
        List<Tuple> configRows = new ArrayList<>();
        List<Tuple> inputRows = new ArrayList<>();
        for (Config c : configs) {
            String output = canonical(host + "/bench/" + c.name() + ":1");
            ObjectNode spec = templateSpec.deepCopy();
            spec.put("name", c.name());
            spec.put("output", host + "/bench/" + c.name() + ":1");
            ((ObjectNode) spec.get("source")).put("repository", repository);
            configRows.add(Tuple.of(c.name(), repository, branch, output, strategy, false, true, Results.JSON.writeValueAsString(spec), now, now));
            inputRows.add(Tuple.of(c.name(), c.from(), digest));
        }
        for (int from = 0; from < configRows.size(); from += 1000) {
            int to = Math.min(configRows.size(), from + 1000);
            db.preparedQuery("""
                            INSERT INTO build_config (name, repository, branch, output_image, strategy, on_git_push, on_base_change, spec,
                                created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)""")
                    .executeBatch(configRows.subList(from, to)).toCompletionStage().toCompletableFuture().get();
            db.preparedQuery("INSERT INTO config_input (config, image, digest) VALUES ($1, $2, $3)")
                    .executeBatch(inputRows.subList(from, to)).toCompletionStage().toCompletableFuture().get();
        }
    }

    static String canonical(String ref) {
        return ImageRef.parse(ref).withoutDigest().toString();
    }
}
