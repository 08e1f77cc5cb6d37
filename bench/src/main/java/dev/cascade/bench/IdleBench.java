package dev.cascade.bench;

import dev.cascade.infra.InfraProcess;
import dev.cascade.testsupport.CascadeSystem;
import dev.cascade.testsupport.ServiceProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Each service's time to ready and idle resident memory. Each service is started alone (once the system
 * beside it is up, with its database migrated already), as it ships ({@code java @jvm.options -jar quarkus-run.jar}), timed
 * from process start to {@code /q/health/ready} answering 200; its RSS is read after it has idled.
 */
public final class IdleBench {

    static final List<String> MODULES = List.of("trigger-service", "build-service", "deploy-service");

    public static void run(Path root, CascadeSystem system, String namespace, Results results, int rounds, Duration idle)
            throws Exception {
        Map<String, Object> raw = new LinkedHashMap<>();
        results.line("");
        results.line("== 5. idle memory and time to ready (%d starts per service, RSS after %ds idle) ==", rounds, idle.toSeconds());
        Thread.sleep(idle.toMillis());
        Map<String, Double> inSystem = new LinkedHashMap<>();
        for (ServiceProcess s : system.services()) {
            long pid = Harness.process(s).orElseThrow(() -> new IllegalStateException("no process for " + s.name)).pid();
            inSystem.put(s.name, Harness.rssMiB(pid));
        }
        raw.put("rssInRunningSystemMiB", inSystem);
        Path logs = system.work().resolve("idle-logs");
        for (String module : MODULES) {
            List<Double> ready = new ArrayList<>();
            List<Double> rss = new ArrayList<>();
            for (int i = 0; i < rounds; i++) {
                int port = InfraProcess.freePorts(1)[0];
                long t0 = System.nanoTime();
                try (ServiceProcess s = ServiceProcess.start(root, module, port, logs, env(system, namespace, module, port))) {
                    s.awaitReady(Duration.ofMinutes(3));
                    ready.add((System.nanoTime() - t0) / 1e6);
                    Thread.sleep(idle.toMillis());
                    rss.add(Harness.rssMiB(Harness.process(s).orElseThrow().pid()));
                }
            }
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("timeToReadyMs", ready);
            m.put("idleRssMiB", rss);
            m.put("medianTimeToReadyMs", Stats.round(Stats.median(ready), 0));
            m.put("medianIdleRssMiB", Stats.median(rss));
            raw.put(module, m);
            results.line("%-16s time to ready %6.0f ms (median of %d)   idle RSS %6.1f MiB alone, %6.1f MiB in the running system",
                    module, Stats.median(ready), rounds, Stats.median(rss), inSystem.get(module));
        }
        results.write("idle", raw);
    }

    /** The environment {@link CascadeSystem} gives a service, for one more instance of it on its own port. */
    static Map<String, String> env(CascadeSystem system, String namespace, String module, int port) {
        Map<String, String> env = new HashMap<>(ServiceProcess.infraEnv(system.infra()));
        env.put("CASCADE_TRIGGER_PORT", Integer.toString(module.equals("trigger-service") ? port : system.trigger().port));
        env.put("CASCADE_BUILD_PORT", Integer.toString(module.equals("build-service") ? port : system.build().port));
        env.put("CASCADE_DEPLOY_PORT", Integer.toString(module.equals("deploy-service") ? port : system.deploy().port));
        env.put("CASCADE_DEPLOY_URL", system.deploy().url());
        env.put("CASCADE_BUILD_WORK_DIR", system.work().resolve("idle-builds").toString());
        env.put("CASCADE_BUILD_STORAGE_ROOT", system.work().resolve("idle-buildah-storage").toString());
        env.put("CASCADE_BUILD_LOG_DIR", system.work().resolve("idle-build-logs").toString());
        env.put("CASCADE_DEPLOY_NAMESPACES", namespace);
        env.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", system.kubernetes().getMasterUrl().toString());
        env.put("QUARKUS_KUBERNETES_CLIENT_NAMESPACE", namespace);
        return env;
    }
}
