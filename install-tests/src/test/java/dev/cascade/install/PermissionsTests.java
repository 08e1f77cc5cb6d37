package dev.cascade.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleRef;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Each service's ServiceAccount may do exactly what its code does with the Kubernetes API: every call granted, nothing
 * more, no wildcards, and only where the service works.
 */
class PermissionsTests {

    /** One API request a ServiceAccount may make: {@code namespace} is where, or {@code *} cluster-wide. */
    record Permission(String apiGroup, String resource, String verb, String namespace) implements Comparable<Permission> {
        @Override
        public int compareTo(Permission o) {
            return toString().compareTo(o.toString());
        }
    }

    /** What a rule grants on one resource. */
    record Rule(String apiGroup, String resource, List<String> verbs) {
    }

    /**
     * deploy-service's calls, by the fabric8 DSL entry point it makes them through (dev.cascade.deploy.kube):
     * workloads are informed on (list, watch), read ({@code get}) and edited ({@code edit}, which fabric8 sends as a
     * JSON patch after a get: patch); hook Jobs are created, read ({@code hookState}: get) and informed on;
     * a hook's pods are listed by label and their logs read ({@code getLog}, which first waits for the pod with an
     * informer on it: list, watch; then pods/log get).
     */
    private static final Map<String, List<Rule>> DEPLOY_SERVICE_CALLS = Map.of(
            "deployments", List.of(rule("apps", "deployments", "get", "list", "watch", "patch")),
            "statefulSets", List.of(rule("apps", "statefulsets", "get", "list", "watch", "patch")),
            "daemonSets", List.of(rule("apps", "daemonsets", "get", "list", "watch", "patch")),
            "jobs", List.of(rule("batch", "jobs", "create", "get", "list", "watch")),
            "pods", List.of(rule("", "pods", "list", "watch"), rule("", "pods/log", "get")));

    /**
     * build-service's Kubernetes executor (dev.cascade.build.kubernetes): creates a build's Job ({@code create}), looks
     * for one it has not seen yet ({@code get}), informs on Jobs and pods ({@code BuildJobWatch}: list, watch), lists a
     * finished Job's pod ({@code latestPod}: list), follows pod logs ({@code PodLogFollower}: pods/log get, after
     * fabric8 waits for the pod with an informer: list, watch), and cancels by marking the Job ({@code edit}: get,
     * patch) and deleting it ({@code delete}).
     */
    private static final List<Rule> BUILD_SERVICE_CALLS = List.of(
            rule("batch", "jobs", "create", "get", "list", "watch", "patch", "delete"),
            rule("", "pods", "list", "watch"),
            rule("", "pods/log", "get"));

    private final RenderedBase base = RenderedBase.get();

    @Test
    void deployServiceMayDoWhatItsCodeDoesInEachWatchedNamespaceAndNothingElse() {
        Set<String> entryPoints = deployServiceEntryPoints();
        assertThat(DEPLOY_SERVICE_CALLS.keySet())
                .as("the Kubernetes API calls of deploy-service's code; a new one needs its permissions written down here")
                .containsExactlyInAnyOrderElementsOf(entryPoints);
        String namespaces = base.data("ConfigMap", "cascade", configMapOf("deploy-service")).orElseThrow().get("CASCADE_DEPLOY_NAMESPACES");
        Set<Permission> expected = new TreeSet<>();
        for (String ns : namespaces.split(",")) {
            DEPLOY_SERVICE_CALLS.values().stream().flatMap(List::stream).forEach(r -> expected.addAll(expand(r, ns.trim())));
        }
        assertThat(granted(serviceAccountOf("deploy-service"))).containsExactlyElementsOf(expected);
    }

    @Test
    void buildServiceMayRunBuildJobsInTheBuildNamespaceOnly() {
        ContainerEnv env = ContainerEnv.of(base, "cascade", base.container("build-service"));
        String buildNamespace = env.variables.get("CASCADE_BUILD_NAMESPACE").value();
        Set<Permission> expected = new TreeSet<>();
        BUILD_SERVICE_CALLS.forEach(r -> expected.addAll(expand(r, buildNamespace)));
        assertThat(granted(serviceAccountOf("build-service"))).containsExactlyElementsOf(expected);
    }

    @Test
    void triggerServiceHasNoKubernetesAccessNorAToken() {
        String account = serviceAccountOf("trigger-service");
        assertThat(granted(account)).isEmpty();
        ServiceAccount sa = base.find(ServiceAccount.class, "cascade", account).orElseThrow();
        assertThat(sa.getAutomountServiceAccountToken()).isFalse();
        assertThat(base.deployment("trigger-service").getSpec().getTemplate().getSpec().getAutomountServiceAccountToken()).isFalse();
    }

    @Test
    void everyServiceRunsAsAServiceAccountOfItsOwn() {
        Set<String> accounts = new HashSet<>();
        for (String service : RenderedBase.SERVICES) {
            String account = serviceAccountOf(service);
            assertThat(account).as("%s's ServiceAccount", service).isNotIn("default", null);
            assertThat(base.find(ServiceAccount.class, "cascade", account)).as("ServiceAccount %s", account).isPresent();
            accounts.add(account);
        }
        assertThat(accounts).hasSize(RenderedBase.SERVICES.size());
    }

    /** Build pods run untrusted Dockerfiles: nothing in the build namespace gets an API token unasked. */
    @Test
    void buildPodsGetNoApiToken() {
        ServiceAccount sa = base.find(ServiceAccount.class, "cascade-builds", "default").orElseThrow();
        assertThat(sa.getAutomountServiceAccountToken()).isFalse();
        assertThat(granted("cascade-builds", "default")).isEmpty();
    }

    @Test
    void noRoleOfTheBaseUsesAWildcardOrNonResourceUrls() {
        Stream.concat(base.all(Role.class).stream().flatMap(r -> r.getRules().stream()),
                base.all(ClusterRole.class).stream().flatMap(r -> r.getRules().stream())).forEach(rule -> {
                    assertThat(rule.getApiGroups()).doesNotContain("*");
                    assertThat(rule.getResources()).doesNotContain("*").noneMatch(r -> r.endsWith("/*"));
                    assertThat(rule.getVerbs()).doesNotContain("*");
                    assertThat(rule.getNonResourceURLs()).isNullOrEmpty();
                });
        assertThat(base.all(ClusterRole.class)).allSatisfy(r -> assertThat(r.getAggregationRule()).isNull());
    }

    private String serviceAccountOf(String service) {
        return base.deployment(service).getSpec().getTemplate().getSpec().getServiceAccountName();
    }

    private String configMapOf(String service) {
        return base.container(service).getEnvFrom().stream().filter(f -> f.getConfigMapRef() != null)
                .map(f -> f.getConfigMapRef().getName()).filter(n -> n.startsWith(service + "-config")).findFirst().orElseThrow();
    }

    private Set<Permission> granted(String account) {
        return granted("cascade", account);
    }

    /** What every binding of the base to this ServiceAccount grants, rule by rule, where the binding holds. */
    private Set<Permission> granted(String accountNamespace, String account) {
        Set<Permission> granted = new TreeSet<>();
        for (RoleBinding b : base.all(RoleBinding.class)) {
            if (binds(b.getSubjects(), accountNamespace, account)) {
                rules(b.getRoleRef(), b.getMetadata().getNamespace()).forEach(r -> granted.addAll(expand(r, b.getMetadata().getNamespace())));
            }
        }
        for (ClusterRoleBinding b : base.all(ClusterRoleBinding.class)) {
            if (binds(b.getSubjects(), accountNamespace, account)) {
                rules(b.getRoleRef(), null).forEach(r -> granted.addAll(expand(r, "*")));
            }
        }
        return granted;
    }

    private static boolean binds(List<Subject> subjects, String namespace, String account) {
        return subjects != null && subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
                && account.equals(s.getName()) && namespace.equals(s.getNamespace()));
    }

    private List<Rule> rules(RoleRef ref, String namespace) {
        List<PolicyRule> rules = switch (ref.getKind()) {
            case "ClusterRole" -> base.find(ClusterRole.class, null, ref.getName())
                    .orElseThrow(() -> new AssertionError("a binding names ClusterRole " + ref.getName() + ", not in the base")).getRules();
            case "Role" -> base.find(Role.class, namespace, ref.getName())
                    .orElseThrow(() -> new AssertionError("a binding names Role " + namespace + "/" + ref.getName() + ", not in the base")).getRules();
            default -> throw new AssertionError("roleRef kind " + ref.getKind());
        };
        return rules.stream().flatMap(r -> r.getApiGroups().stream().flatMap(g -> r.getResources().stream()
                .map(res -> new Rule(g, res, r.getVerbs())))).toList();
    }

    private static Rule rule(String apiGroup, String resource, String... verbs) {
        return new Rule(apiGroup, resource, List.of(verbs));
    }

    private static Set<Permission> expand(Rule rule, String namespace) {
        return rule.verbs().stream().map(verb -> new Permission(rule.apiGroup(), rule.resource(), verb, namespace))
                .collect(Collectors.toSet());
    }

    /**
     * The resource types deploy-service's code reaches through its {@code KubernetesClient}: {@code client.pods()},
     * {@code client.apps().deployments()}, {@code client.batch().v1().jobs()}, ... Any other use of the client
     * ({@code client.resource(...)}, {@code client.configMaps()}) shows up here too, and fails the comparison.
     */
    private static Set<String> deployServiceEntryPoints() {
        Pattern call = Pattern.compile("\\bclient\\s*\\.\\s*(?:apps\\(\\)\\s*\\.\\s*|batch\\(\\)\\s*\\.\\s*v1\\(\\)\\s*\\.\\s*)?(\\w+)\\s*\\(");
        Set<String> found = new TreeSet<>();
        Path sources = RenderedBase.root().resolve("deploy-service/src/main/java");
        try (Stream<Path> files = Files.walk(sources)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                String code = Files.readString(f);
                if (!code.contains("KubernetesClient")) {
                    continue;
                }
                Matcher m = call.matcher(code);
                while (m.find()) {
                    found.add(m.group(1));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(found).as("KubernetesClient calls in %s", sources).isNotEmpty();
        return found;
    }
}
