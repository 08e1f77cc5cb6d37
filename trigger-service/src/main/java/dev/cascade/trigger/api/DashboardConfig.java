package dev.cascade.trigger.api;

import io.smallrye.config.ConfigMapping;

/** {@code cascade.dashboard.*}: where the browser reaches the other services' APIs. */
@ConfigMapping(prefix = "cascade.dashboard")
public interface DashboardConfig {

    /** build-service's base URL ({@code CASCADE_BUILD_URL}). */
    String buildUrl();

    /** deploy-service's base URL ({@code CASCADE_DEPLOY_URL}). */
    String deployUrl();
}
