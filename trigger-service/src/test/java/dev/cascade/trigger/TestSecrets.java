package dev.cascade.trigger;

/** The webhook secrets and tokens the {@code %test} profile of trigger-service configures, one per sender. */
public final class TestSecrets {

    /** GitHub's and GHCR's: the secret of GitHub's own documented signature example. */
    public static final String GITHUB = "It's a Secret to Everybody";
    public static final String GITLAB = "gitlab-test-token-0123456789";
    public static final String GITEA = "gitea-test-secret-0123456789";
    public static final String BITBUCKET = "bitbucket-test-secret-0123456789";
    public static final String GENERIC = "generic-test-secret-0123456789";
    public static final String DISTRIBUTION = "distribution-test-token-0123456789";
    public static final String HARBOR = "harbor-test-token-0123456789";
    public static final String ACR = "acr-test-token-0123456789";
    public static final String NEXUS = "nexus-test-secret-0123456789";
    public static final String ARTIFACTORY = "artifactory-test-secret-0123456789";

    private TestSecrets() {
    }
}
