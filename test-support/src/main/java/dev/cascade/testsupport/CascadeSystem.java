package dev.cascade.testsupport;

import dev.cascade.infra.InfraProcess;
import dev.cascade.testsupport.kube.LocalCluster;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The whole system running as it ships, for tests and benchmarks that use it from outside: a KRaft broker
 * and PostgreSQL (one child JVM), a Distribution registry whose notifications reach trigger-service
 * (through a {@link WebhookRecorder}, so they can be delivered again), a {@link LocalCluster} with the
 * {@link SimulatedController}, and the three services from their {@code quarkus-run.jar}.
 *
 * <p>The namespace deploy-service watches belongs to the {@link SimulatedController}: it reports rollouts and finishes
 * deploy-service's hook Jobs there, writing their logs to the cluster's log endpoint, and the cluster's own Job
 * controller and kubelet leave that namespace alone. Jobs and pods in every other namespace are run by the cluster as
 * local processes.
 *
 * <p>The services must have been packaged ({@code mvn package}); {@code root} is the repository root.
 */
public final class CascadeSystem implements AutoCloseable {

    private final Path work;
    private final InfraProcess infra;
    private final WebhookRecorder recorder;
    private final LocalRegistry registry;
    private final LocalCluster cluster;
    private final KubernetesClient kubeClient;
    private final SimulatedController controller;
    private final Path root;
    private final Map<String, String> env;
    private final List<ServiceProcess> services;

    private CascadeSystem(Path work, InfraProcess infra, WebhookRecorder recorder, LocalRegistry registry, LocalCluster cluster,
                          KubernetesClient kubeClient, SimulatedController controller, Path root, Map<String, String> env,
                          List<ServiceProcess> services) {
        this.work = work;
        this.infra = infra;
        this.recorder = recorder;
        this.registry = registry;
        this.cluster = cluster;
        this.kubeClient = kubeClient;
        this.controller = controller;
        this.root = root;
        this.env = Map.copyOf(env);
        this.services = new java.util.concurrent.CopyOnWriteArrayList<>(services);
    }

    /**
     * Starts everything and waits until each service reports ready.
     *
     * @param root      the repository root (where {@code trigger-service/target/quarkus-app} is)
     * @param namespace the Kubernetes namespace deploy-service watches
     * @param extraEnv  more environment for all three services (e.g. {@code CASCADE_BUILD_COALESCE_WINDOW})
     */
    public static CascadeSystem start(Path root, String namespace, Map<String, String> extraEnv) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("cascade-system");
        InfraProcess infra = InfraProcess.start(work.resolve("infra"), List.of("trigger", "build", "deploy"), Duration.ofMinutes(3));
        int[] ports = InfraProcess.freePorts(4);
        String token = "registry-" + UUID.randomUUID();
        WebhookRecorder recorder = WebhookRecorder.start(ports[3], "http://127.0.0.1:" + ports[0] + "/webhooks/registry/distribution");
        LocalRegistry registry = LocalRegistry.start(work.resolve("registry"), recorder.url(), token);

        // build pods run the cascade-build-step command this build made, as the builder image would
        LocalCluster cluster = LocalCluster.builder(work.resolve("cluster")).exceptNamespaces(namespace)
                .path(root.resolve("build-step/target/cascade-build-step/bin")).start();
        KubernetesClient kubeClient = cluster.client();
        SimulatedController controller = new SimulatedController(kubeClient, (pod, log) -> {
            String[] at = pod.split("/", 2);
            cluster.podLog(at[0], at[1]).append(log);
        }, namespace);

        Map<String, String> env = new HashMap<>(ServiceProcess.infraEnv(infra));
        env.put("CASCADE_TRIGGER_PORT", Integer.toString(ports[0]));
        env.put("CASCADE_BUILD_PORT", Integer.toString(ports[1]));
        env.put("CASCADE_DEPLOY_PORT", Integer.toString(ports[2]));
        env.put("CASCADE_WEBHOOKS_DISTRIBUTION_SECRETS", token);
        env.put("CASCADE_DEPLOY_URL", "http://127.0.0.1:" + ports[2]);
        env.put("CASCADE_BUILD_URL", "http://127.0.0.1:" + ports[1]);
        env.put("CASCADE_BUILD_WORK_DIR", work.resolve("builds").toString());
        env.put("CASCADE_BUILD_STORAGE_ROOT", work.resolve("buildah-storage").toString());
        env.put("CASCADE_BUILD_LOG_DIR", work.resolve("build-logs").toString());
        env.put("CASCADE_DEPLOY_NAMESPACES", namespace);
        // the registry notifies trigger-service of every push: its tags are watched only as a safety net
        env.put("CASCADE_WATCH_WEBHOOK_REGISTRIES", registry.host());
        env.put("QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL", cluster.url());
        env.put("QUARKUS_KUBERNETES_CLIENT_NAMESPACE", namespace);
        env.putAll(TestTokens.env());
        env.put("CASCADE_DEPLOY_TOKEN", TestTokens.VIEWER);
        env.putAll(extraEnv);

        Path logs = work.resolve("logs");
        List<ServiceProcess> services = new ArrayList<>();
        services.add(ServiceProcess.start(root, "trigger-service", ports[0], logs, env));
        services.add(ServiceProcess.start(root, "build-service", ports[1], logs, env));
        services.add(ServiceProcess.start(root, "deploy-service", ports[2], logs, env));
        CascadeSystem system = new CascadeSystem(work, infra, recorder, registry, cluster, kubeClient, controller, root, env, services);
        try {
            for (ServiceProcess s : services) {
                s.awaitReady(Duration.ofMinutes(3));
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            system.close();
            throw e;
        }
        return system;
    }

    public ServiceProcess trigger() {
        return services.get(0);
    }

    public ServiceProcess build() {
        return services.get(1);
    }

    public ServiceProcess deploy() {
        return services.get(2);
    }

    /** Every instance running or started so far: the first three, then any {@link #startInstance further ones}. */
    public List<ServiceProcess> services() {
        return List.copyOf(services);
    }

    /**
     * Starts one more instance of a service (another replica on the same broker and databases), on a port of its
     * own, and waits until it is ready. A further build-service instance works, stores images and writes live logs
     * in directories of its own, as another pod would.
     *
     * @param module {@code trigger-service}, {@code build-service} or {@code deploy-service}
     */
    public ServiceProcess startInstance(String module) throws IOException, InterruptedException {
        long same = services.stream().filter(s -> s.module.equals(module)).count();
        if (same == 0) {
            throw new IllegalArgumentException("no service " + module);
        }
        String name = module + "-" + (same + 1);
        int port = InfraProcess.freePorts(1)[0];
        Map<String, String> own = new HashMap<>(env);
        own.put("CASCADE_" + module.replace("-service", "").toUpperCase(java.util.Locale.ROOT) + "_PORT", Integer.toString(port));
        if (module.equals("build-service")) {
            Path dirs = work.resolve(name);
            own.put("CASCADE_BUILD_WORK_DIR", dirs.resolve("builds").toString());
            own.put("CASCADE_BUILD_STORAGE_ROOT", dirs.resolve("buildah-storage").toString());
            own.put("CASCADE_BUILD_LOG_DIR", dirs.resolve("build-logs").toString());
        }
        ServiceProcess instance = ServiceProcess.start(root, module, name, port, logs(), own);
        services.add(instance);
        instance.awaitReady(Duration.ofMinutes(3));
        return instance;
    }

    /**
     * The secret values the services were started with (the key for stored webhook secrets, the registry's
     * notification token, the API tokens), for tests that check none of them is ever written out.
     */
    public List<String> secrets() {
        return List.of(env.get("CASCADE_SECRETS_KEY"), env.get("CASCADE_WEBHOOKS_DISTRIBUTION_SECRETS"),
                env.get("CASCADE_API_OPERATOR_TOKENS"), env.get("CASCADE_API_VIEWER_TOKENS"));
    }

    public InfraProcess infra() {
        return infra;
    }

    public LocalRegistry registry() {
        return registry;
    }

    /** The registry's notifications as trigger-service received them. */
    public WebhookRecorder recorder() {
        return recorder;
    }

    public KubernetesClient kubernetes() {
        return kubeClient;
    }

    public SimulatedController controller() {
        return controller;
    }

    /** The cluster behind {@link #kubernetes()}: it runs Jobs and pods outside deploy-service's namespace. */
    public LocalCluster cluster() {
        return cluster;
    }

    /** A scratch directory that lives as long as the system (git repositories, build contexts). */
    public Path work() {
        return work;
    }

    /** Where the services write their logs. */
    public Path logs() {
        return work.resolve("logs");
    }

    @Override
    public void close() {
        services.forEach(ServiceProcess::close);
        controller.close();
        cluster.close();
        registry.close();
        recorder.close();
        infra.close();
    }
}
