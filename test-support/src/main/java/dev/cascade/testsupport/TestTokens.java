package dev.cascade.testsupport;

import io.restassured.RestAssured;
import io.restassured.filter.Filter;
import java.net.URI;
import java.util.Map;

/**
 * The API tokens the services are started with in tests, and a RestAssured filter that sends the operator token
 * on every {@code /api} request that does not carry an {@code Authorization} header of its own. Tests that check
 * authentication set the header themselves (or use another client).
 */
public final class TestTokens {

    public static final String OPERATOR = "test-operator-token-4f1c9a";
    public static final String VIEWER = "test-viewer-token-8b2e7d";

    private static final Filter OPERATOR_ON_API = (request, response, context) -> {
        if (!request.getHeaders().hasHeaderWithName("Authorization") && URI.create(request.getURI()).getPath().startsWith("/api")) {
            request.header("Authorization", "Bearer " + OPERATOR);
        }
        return context.next(request, response);
    };

    private TestTokens() {
    }

    /** The services' configuration of the two tokens (properties; as environment variables see {@link #env()}). */
    public static Map<String, String> config() {
        return Map.of("cascade.api.operator-tokens", OPERATOR, "cascade.api.viewer-tokens", VIEWER);
    }

    /** The same as environment variables, for services started as processes. */
    public static Map<String, String> env() {
        return Map.of("CASCADE_API_OPERATOR_TOKENS", OPERATOR, "CASCADE_API_VIEWER_TOKENS", VIEWER);
    }

    /** Installs the filter into RestAssured's defaults, once per class loader. */
    public static synchronized void authenticateRestAssured() {
        if (!RestAssured.filters().contains(OPERATOR_ON_API)) {
            RestAssured.filters(OPERATOR_ON_API);
        }
    }
}
