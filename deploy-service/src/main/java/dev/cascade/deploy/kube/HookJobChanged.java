package dev.cascade.deploy.kube;

/** A CDI event: an informer saw a hook Job of the rollout {@code rolloutId} change. */
public record HookJobChanged(String namespace, String job, String rolloutId) {
}
