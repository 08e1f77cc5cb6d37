package dev.cascade.install;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every setting a service needs on a cluster reaches its container, from the base or from what the operators generate. */
class SettingsTests {

    private final RenderedBase base = RenderedBase.get();

    private ContainerEnv env(String service) {
        ContainerEnv env = ContainerEnv.of(base, "cascade", base.container(service));
        assertThat(env.unresolved).as("%s's environment refers to what nothing provides", service).isEmpty();
        return env;
    }

    @ParameterizedTest
    @ValueSource(strings = {"trigger-service", "build-service", "deploy-service"})
    void everyVariableTheServiceNeedsOnAClusterIsProvided(String service) {
        ContainerEnv env = env(service);
        List<ServiceProperties.Reference> needed = ServiceProperties.of(service).cascadeVariables().stream()
                .filter(ServiceProperties.Reference::neededOnCluster).toList();
        assertThat(needed).as("what %s reads with no default, or a default of this machine", service).isNotEmpty();
        List<String> missing = new ArrayList<>();
        for (ServiceProperties.Reference r : needed) {
            ContainerEnv.Source s = env.variables.get(r.name());
            if (s == null) {
                missing.add(r.name() + " (read by " + r.property() + ")");
            } else if (s.value() != null && s.value().isBlank()) {
                missing.add(r.name() + " (empty in " + s.description() + ")");
            }
        }
        assertThat(missing).as("settings %s needs on a cluster that its Deployment does not give it", service).isEmpty();
    }

    /**
     * Secrets are set by the user: each must have its key in a Secret of the base (empty until an overlay fills it),
     * so that replacing that Secret is all it takes. The webhook senders are those trigger-service's tests configure.
     */
    @ParameterizedTest
    @ValueSource(strings = {"trigger-service", "build-service", "deploy-service"})
    void everySecretTheUserSetsHasItsKeyInASecretOfTheBase(String service) {
        Set<String> secrets = new TreeSet<>(Set.of("CASCADE_API_OPERATOR_TOKENS", "CASCADE_API_VIEWER_TOKENS"));
        if (service.equals("trigger-service")) {
            secrets.add("CASCADE_SECRETS_KEY");
            ServiceProperties.of(service).written.stringPropertyNames().stream()
                    .filter(k -> k.matches("%test\\.cascade\\.webhooks\\.[a-z]+\\.secrets"))
                    .map(k -> "CASCADE_WEBHOOKS_" + k.split("\\.")[3].toUpperCase() + "_SECRETS")
                    .forEach(secrets::add);
            assertThat(secrets).as("the webhook senders of trigger-service's tests").contains("CASCADE_WEBHOOKS_GITHUB_SECRETS");
        }
        if (service.equals("build-service")) {
            secrets.add("CASCADE_DEPLOY_TOKEN");
        }
        Map<String, ContainerEnv.Source> variables = env(service).variables;
        for (String secret : secrets) {
            assertThat(variables.keySet()).as("%s's environment", service).contains(secret);
            assertThat(variables.get(secret).description()).as("where %s gets %s", service, secret).startsWith("Secret ");
        }
    }

    /** Database URLs and credentials come from the Secret CloudNativePG generates for the service's own database. */
    @ParameterizedTest
    @ValueSource(strings = {"trigger-service", "build-service", "deploy-service"})
    void theDatabaseIsTheServicesOwnCloudNativePgCluster(String service) {
        Map<String, ContainerEnv.Source> variables = env(service).variables;
        Set<String> clusters = new TreeSet<>();
        for (String v : List.of("CASCADE_DB_REACTIVE_URL", "CASCADE_DB_JDBC_URL", "CASCADE_DB_USER", "CASCADE_DB_PASSWORD")) {
            assertThat(variables).containsKey(v);
            assertThat(variables.get(v).generatedBy()).as("%s of %s, from %s", v, service, variables.get(v).description()).isNotNull();
            clusters.add(variables.get(v).generatedBy());
        }
        assertThat(clusters).as("%s's database clusters", service).hasSize(1);
        // the database the service names in its local default, e.g. jdbc:postgresql://localhost:5432/trigger
        String jdbcDefault = ServiceProperties.of(service).cascadeVariables().stream()
                .filter(r -> r.name().equals("CASCADE_DB_JDBC_URL")).findFirst().orElseThrow().fallback();
        String database = URI.create(jdbcDefault.substring("jdbc:".length()).replaceAll("\\$\\{[^}]*}", "5432")).getPath().substring(1);
        GenericKubernetesResource cluster = base.all("postgresql.cnpg.io", "Cluster").stream()
                .filter(c -> c.getMetadata().getName().equals(clusters.iterator().next())).findFirst().orElseThrow();
        Map<String, Object> initdb = map(map(map(cluster.getAdditionalProperties().get("spec")).get("bootstrap")).get("initdb"));
        assertThat(initdb.get("database")).as("the database of Cluster %s", cluster.getMetadata().getName()).isEqualTo(database);
        assertThat(map(cluster.getAdditionalProperties().get("spec")).get("instances")).isEqualTo(3);
    }

    @Test
    void everyServiceReachesKafkaThroughTheBootstrapServiceOfTheBasesKafka() {
        GenericKubernetesResource kafka = base.all("kafka.strimzi.io", "Kafka").get(0);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> listeners = (List<Map<String, Object>>) map(map(kafka.getAdditionalProperties().get("spec")).get("kafka")).get("listeners");
        Map<String, Object> plain = listeners.stream().filter(l -> Boolean.FALSE.equals(l.get("tls"))).findFirst().orElseThrow();
        String bootstrap = kafka.getMetadata().getName() + "-kafka-bootstrap:" + plain.get("port");
        for (String service : RenderedBase.SERVICES) {
            ContainerEnv.Source source = env(service).variables.get("CASCADE_KAFKA_BOOTSTRAP");
            assertThat(source).as("%s's CASCADE_KAFKA_BOOTSTRAP", service).isNotNull();
            assertThat(source.value()).as("%s's CASCADE_KAFKA_BOOTSTRAP", service).isEqualTo(bootstrap);
        }
    }

    /** build-service runs its builds as Jobs in the build namespace, from a builder image pinned by digest. */
    @Test
    void buildServiceRunsBuildsOnTheClusterFromADigestPinnedBuilder() {
        Map<String, ContainerEnv.Source> variables = env("build-service").variables;
        assertThat(variables.get("CASCADE_BUILD_EXECUTOR").value()).isEqualTo("kubernetes");
        assertThat(variables.get("CASCADE_BUILD_NAMESPACE").value()).isEqualTo("cascade-builds");
        assertThat(variables.get("CASCADE_BUILD_BUILDER_IMAGE").value()).matches("[^@\\s]+@sha256:[0-9a-f]{64}");
        assertThat(variables.get("CASCADE_BUILD_REGISTRY_SECRET").value()).matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?");
        assertThat(base.find(io.fabric8.kubernetes.api.model.Namespace.class, null, "cascade-builds")).isPresent();
    }

    /** deploy-service's dashboard-facing and in-cluster URLs are not confused: build-service asks deploy-service's Service. */
    @Test
    void buildServiceAsksDeployServiceThroughItsService() {
        URI deploy = URI.create(env("build-service").variables.get("CASCADE_DEPLOY_URL").value());
        var service = base.find(io.fabric8.kubernetes.api.model.Service.class, "cascade", deploy.getHost());
        assertThat(service).as("a Service named %s", deploy.getHost()).isPresent();
        assertThat(service.get().getSpec().getPorts()).anyMatch(p -> p.getPort() == deploy.getPort());
        assertThat(service.get().getSpec().getSelector())
                .isEqualTo(base.deployment("deploy-service").getSpec().getSelector().getMatchLabels());
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object o) {
        assertThat(o).isInstanceOf(Map.class);
        return (Map<String, Object>) o;
    }
}
