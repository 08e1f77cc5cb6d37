package dev.cascade.testsupport;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;

/** A Deployment opted in to Cascade's rollouts: one container {@code web} running an image and following it by digest. */
public final class FollowingDeployment {

    private FollowingDeployment() {
    }

    /**
     * @param progressDeadlineSeconds the Deployment's {@code progressDeadlineSeconds}, or null for the cluster's default
     */
    public static Deployment of(String namespace, String name, String image, int replicas, Integer progressDeadlineSeconds) {
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(namespace)
                .addToAnnotations("cascade.dev/image-triggers", "[{\"from\":\"" + image + "\",\"container\":\"web\",\"policy\":\"digest\"}]")
                .endMetadata()
                .withNewSpec().withReplicas(replicas).withProgressDeadlineSeconds(progressDeadlineSeconds)
                .withNewSelector().addToMatchLabels("app", name).endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("web").withImage(image).endContainer().endSpec().endTemplate()
                .endSpec().build();
    }

    /** The image a Deployment's first container runs now. */
    public static String image(KubernetesClient kube, String namespace, String name) {
        return kube.apps().deployments().inNamespace(namespace).withName(name).get()
                .getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
    }
}
