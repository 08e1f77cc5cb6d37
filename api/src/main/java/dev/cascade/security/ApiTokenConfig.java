package dev.cascade.security;

import io.smallrye.config.ConfigMapping;
import java.util.List;
import java.util.Optional;

/**
 * {@code cascade.api.*}: the tokens the REST API accepts ({@code CASCADE_API_OPERATOR_TOKENS},
 * {@code CASCADE_API_VIEWER_TOKENS}, comma-separated; each a token of at least 16 characters or {@code sha256:<hex>}).
 * With none configured every {@code /api} request is refused.
 */
@ConfigMapping(prefix = "cascade.api")
public interface ApiTokenConfig {

    /** Tokens with the operator role (read and act). */
    Optional<List<String>> operatorTokens();

    /** Tokens with the viewer role (read only). */
    Optional<List<String>> viewerTokens();
}
