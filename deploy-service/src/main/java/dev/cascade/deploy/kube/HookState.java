package dev.cascade.deploy.kube;

/** Where a rollout hook's Job is. */
public enum HookState {
    RUNNING, SUCCEEDED, FAILED
}
