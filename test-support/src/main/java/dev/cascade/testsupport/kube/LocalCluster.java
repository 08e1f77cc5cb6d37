package dev.cascade.testsupport.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;

/**
 * A one-node Kubernetes cluster for tests, whose node is this machine: the fabric8 mock server in CRUD mode as the
 * API server (with the pod log endpoint, admission refusals and an unavailable switch added), a {@link JobController}
 * (with the TTL controller and the garbage collector for Jobs) and a {@link LocalKubelet} that runs pods' containers'
 * real command lines as processes of this JVM. Images are never pulled: the machine's own tools run, found on a
 * {@code PATH} that starts with the given extra folders (where a builder image's own tools may be put). Volumes are
 * folders of this machine and a process sees no mounts, so the kubelet rewrites each {@code mountPath} to its folder
 * where it stands as a path in a container's command, args, env values and working directory (see
 * {@link PodSandbox}); a path a program makes up by itself still points at the real machine.
 *
 * <p>The Job controller and the kubelet act in the namespaces the cluster runs: every namespace, or those chosen with
 * {@link Builder#onlyNamespaces} or left out with {@link Builder#exceptNamespaces}. Jobs and pods in any other
 * namespace are only stored, so another controller (a simulated one) can handle them; {@link #podLog} gives it a
 * place to put such a pod's log for the log endpoint.
 *
 * <p>The API server listens on a free loopback port over plain HTTP; {@link #url()} is what a service is given as
 * {@code QUARKUS_KUBERNETES_CLIENT_API_SERVER_URL}. {@link #stopApiServer()} and {@link #startApiServer()} take the
 * server away and bring it back on the same port with the same objects, as an API server restart does;
 * {@link #unavailable(boolean)} keeps it listening but answering 503, as a server behind a load balancer with no
 * healthy backend does.
 */
public final class LocalCluster implements AutoCloseable {

    private final ClusterDispatcher dispatcher;
    private final Admission admission = new Admission();
    private final int port;
    private final KubernetesClient client;
    private final JobController jobs;
    private final LocalKubelet kubelet;
    private final Predicate<String> namespaces;
    private final PodLogEndpoint logs;
    private volatile KubernetesMockServer server;

    private LocalCluster(Path work, List<Path> extraPath, Predicate<String> namespaces) throws IOException {
        Files.createDirectories(work);
        this.namespaces = namespaces;
        LocalKubelet[] kubeletRef = new LocalKubelet[1];
        this.logs = new PodLogEndpoint(uid -> kubeletRef[0] == null ? java.util.Optional.empty() : kubeletRef[0].run(uid));
        this.dispatcher = new ClusterDispatcher(admission, logs);
        this.server = newServer(0);
        this.port = server.getPort();
        this.client = server.createClient();
        this.jobs = new JobController(client, namespaces);
        this.kubelet = new LocalKubelet(client, Files.createDirectories(work.resolve("pods")), extraPath, namespaces);
        kubeletRef[0] = kubelet;
    }

    private KubernetesMockServer newServer(int port) {
        KubernetesMockServer s = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        s.init(InetAddress.getLoopbackAddress(), port);
        return s;
    }

    /** A cluster running Jobs and pods in every namespace, with the given folders first on containers' PATH. */
    public static LocalCluster start(Path work, Path... extraPath) throws IOException {
        return builder(work).path(extraPath).start();
    }

    /** @param work where pods' volumes, home folders and termination messages live */
    public static Builder builder(Path work) {
        return new Builder(work);
    }

    /** How a cluster is set up before it starts. */
    public static final class Builder {

        private final Path work;
        private final List<Path> path = new ArrayList<>();
        private Predicate<String> namespaces = ns -> true;

        private Builder(Path work) {
            this.work = work;
        }

        /** Folders put first on every container's PATH, in this order. */
        public Builder path(Path... dirs) {
            path.addAll(Arrays.asList(dirs));
            return this;
        }

        /** Jobs and pods are run only in these namespaces. */
        public Builder onlyNamespaces(String... names) {
            Set<String> only = Set.of(names);
            namespaces = only::contains;
            return this;
        }

        /** Jobs and pods are run in every namespace but these (which another controller handles). */
        public Builder exceptNamespaces(String... names) {
            Set<String> except = Set.of(names);
            namespaces = ns -> !except.contains(ns);
            return this;
        }

        public LocalCluster start() throws IOException {
            return new LocalCluster(work, path, namespaces);
        }
    }

    /** A client of the API server (its default namespace is {@code test}). */
    public KubernetesClient client() {
        return client;
    }

    /** The API server's URL, {@code http://localhost:<port>/}. */
    public String url() {
        return server.url("/");
    }

    /** The mock server behind the API, for tests that add expectations of their own. */
    public KubernetesMockServer server() {
        return server;
    }

    public LocalKubelet kubelet() {
        return kubelet;
    }

    /** Whether the Job controller and the kubelet act in a namespace. */
    public boolean runs(String namespace) {
        return namespaces.test(namespace);
    }

    /**
     * Makes the API server refuse to create objects of a kind that match {@code which}, as a quota or an admission
     * policy does, until the returned refusal is closed. The answer is a {@code Status} with {@code code}, the reason
     * for that code and, for 403, the message {@code <resource> "<name>" is forbidden: <cause>} (for other codes the
     * cause is the whole message). For a quota: {@code refuse(Job.class, j -> true, 403, "exceeded quota: builds,
     * requested: count/jobs.batch=1, used: count/jobs.batch=4, limited: count/jobs.batch=4")}.
     */
    public <T extends HasMetadata> Admission.Refusal refuse(Class<T> kind, Predicate<? super T> which, int code, String cause) {
        return admission.add(kind, which, code, cause);
    }

    /** Refuses every creation of a kind with 403 Forbidden and the given cause. */
    public <T extends HasMetadata> Admission.Refusal refuse(Class<T> kind, String cause) {
        return refuse(kind, x -> true, 403, cause);
    }

    /** While true, every request (watches included) is answered {@code 503 Service Unavailable}. */
    public void unavailable(boolean unavailable) {
        dispatcher.unavailable(unavailable);
    }

    /** Stops the API server: connections are refused, open watches end. The objects stay for {@link #startApiServer}. */
    public synchronized void stopApiServer() {
        server.destroy();
    }

    /** Starts the API server again on the same port, with the same objects; clients and informers reconnect. */
    public synchronized void startApiServer() {
        server = newServer(port);
    }

    /**
     * The log of a pod in a namespace this cluster does not run, for the controller that runs it to write; the log
     * endpoint then serves it for every container of that pod.
     */
    public ContainerLog podLog(String namespace, String pod) {
        return logs.served(namespace, pod);
    }

    /** Stops the controllers, kills every process the kubelet started and stops the API server. */
    @Override
    public void close() {
        jobs.close();
        kubelet.close();
        client.close();
        server.destroy();
    }
}
