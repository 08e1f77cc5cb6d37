package dev.cascade.build.watch;

import dev.cascade.testsupport.Buildah;
import dev.cascade.testsupport.LocalRegistry;
import dev.cascade.testsupport.RegistryProxy;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A real registry without notifications, and proxies in front of it that look like registries of their own: one that
 * throttles, one that fails, one with a small budget, two that require basic credentials (configured right, and wrong),
 * one for two watchers at once. build-service watches with short intervals and backoffs.
 */
public class WatchedRegistriesResource implements QuarkusTestResourceLifecycleManager {

    static final String USER = "ci";
    static final String PASSWORD = "s3cret";
    static final int BUDGET = 3;
    /** The repository of the tags the proxies' scenarios watch; never pushed again. */
    static final String STEADY = "upstream/steady";

    static Path work;
    static LocalRegistry registry;
    static Buildah buildah;
    static RegistryProxy throttling;
    static RegistryProxy failing;
    static RegistryProxy budgeted;
    static RegistryProxy basic;
    static RegistryProxy wrongCredentials;
    static RegistryProxy replicas;

    @Override
    public Map<String, String> start() {
        try {
            work = Files.createTempDirectory("watched-registries");
            registry = LocalRegistry.start(work.resolve("registry"), null, null);
            buildah = new Buildah(work.resolve("buildah"));
            Path steady = Files.createDirectories(work.resolve("steady"));
            Files.writeString(steady.resolve("Dockerfile"), "FROM scratch\nCOPY a /a\n");
            Files.writeString(steady.resolve("a"), "steady");
            String first = registry.host() + "/" + STEADY + ":1";
            buildah.buildAndPush(steady, first);
            for (String tag : List.of("2", "3", "4")) {
                buildah.run("tag", first, registry.host() + "/" + STEADY + ":" + tag);
                buildah.push(registry.host() + "/" + STEADY + ":" + tag);
            }
            URI upstream = URI.create("http://127.0.0.1:" + registry.port());
            throttling = RegistryProxy.start(upstream);
            throttling.failNext(1, 429, "3");
            failing = RegistryProxy.start(upstream);
            failing.failNext(3, 503, null);
            budgeted = RegistryProxy.start(upstream);
            basic = RegistryProxy.start(upstream).requireBasic(USER, PASSWORD);
            wrongCredentials = RegistryProxy.start(upstream).requireBasic(USER, PASSWORD);
            replicas = RegistryProxy.start(upstream);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        Map<String, String> config = new HashMap<>();
        config.put("cascade.watch.enabled", "true");
        config.put("cascade.watch.interval", "3s");
        config.put("cascade.watch.tick", "200ms");
        config.put("cascade.watch.refresh", "1s");
        config.put("cascade.watch.backoff", "500ms");
        config.put("cascade.watch.max-backoff", "2s");
        config.put("cascade.watch.burst-minutes", "60");
        config.put("cascade.watch.budgets.\"" + budgeted.host() + "\"", Integer.toString(BUDGET));
        config.put("cascade.registry.credentials", basic.host() + "=" + USER + ":" + PASSWORD + "," + wrongCredentials.host() + "=" + USER + ":wrong");
        return config;
    }

    @Override
    public void stop() {
        for (AutoCloseable c : new AutoCloseable[] {throttling, failing, budgeted, basic, wrongCredentials, replicas, registry}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // the next one is closed all the same
            }
        }
    }
}
