package dev.cascade.trigger.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.cascade.testsupport.CascadeInfraResource;
import dev.cascade.testsupport.TestTokens;
import dev.cascade.testsupport.WebhookPayloads;
import io.quarkus.test.common.ResourceArg;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * The REST API needs a bearer token (viewer to read, operator to act); webhooks, health and the dashboard's page do
 * not, and a webhook's own {@code Authorization} header is never taken for an API token. A plain HTTP client is used
 * here, not RestAssured, whose requests the tests authenticate.
 */
@QuarkusTest
@WithTestResource(value = CascadeInfraResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "database", value = "trigger"))
class ApiSecurityTests {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final String SECRET_BODY = "{\"sender\":\"gitlab\",\"subject\":\"*\",\"secret\":\"a-new-secret-of-this-test-000\"}";

    @TestHTTPResource("/")
    URL root;

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(root.toString()).resolve(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (token != null) {
            request.header("Authorization", token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void withoutATokenOrWithAWrongOneTheApiAnswers401AndAsksForABearerToken() throws Exception {
        for (String token : new String[] {null, "Bearer not-a-token-of-this-service", "Basic b3BlcmF0b3I6b3BlcmF0b3I=",
                "Bearer " + TestTokens.OPERATOR + "x", "Bearer "}) {
            HttpResponse<String> list = send("GET", "/api/pipelines", token, null);
            assertThat(list.statusCode()).as("GET with %s", token).isEqualTo(401);
            assertThat(list.headers().firstValue("WWW-Authenticate")).as("GET with %s", token).hasValue("Bearer realm=\"cascade\"");
            assertThat(send("POST", "/api/webhook-secrets", token, SECRET_BODY).statusCode()).as("POST with %s", token).isEqualTo(401);
        }
        assertThat(send("GET", "/api/webhook-secrets", "Bearer " + TestTokens.VIEWER, null).body())
                .as("nothing was stored by the refused requests").doesNotContain("a-new-secret");
    }

    @Test
    void aViewerReadsButMayNotActAndAnOperatorMay() throws Exception {
        assertThat(send("GET", "/api/pipelines", "Bearer " + TestTokens.VIEWER, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/api/deliveries", "bearer " + TestTokens.VIEWER, null).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/api/webhook-secrets", "Bearer " + TestTokens.VIEWER, SECRET_BODY).statusCode()).isEqualTo(403);

        HttpResponse<String> created = send("POST", "/api/webhook-secrets", "Bearer " + TestTokens.OPERATOR, SECRET_BODY);
        assertThat(created.statusCode()).isEqualTo(201);
        assertThat(created.body()).as("a stored secret is never shown").doesNotContain("a-new-secret-of-this-test");
        String id = created.body().replaceAll(".*\"id\":\"([^\"]+)\".*", "$1");
        assertThat(send("DELETE", "/api/webhook-secrets/" + id, "Bearer " + TestTokens.VIEWER, null).statusCode()).isEqualTo(403);
        assertThat(send("DELETE", "/api/webhook-secrets/" + id, "Bearer " + TestTokens.OPERATOR, null).statusCode()).isEqualTo(204);
    }

    @Test
    void webhooksHealthAndTheDashboardPageNeedNoApiToken() throws Exception {
        assertThat(send("GET", "/q/health/ready", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/", null, null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/dashboard.js", null, null).statusCode()).isEqualTo(200);

        // a webhook is judged by its own signature: a bearer token that is not an API token does not turn it away,
        // and an API token does not stand in for the signature
        HttpRequest unsigned = HttpRequest.newBuilder(URI.create(root.toString()).resolve("/webhooks/git/github"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(WebhookPayloads.bytes("github/push.json")))
                .header("Content-Type", "application/json").header("X-GitHub-Event", "push")
                .header("X-GitHub-Delivery", java.util.UUID.randomUUID().toString())
                .header("Authorization", "Bearer " + TestTokens.OPERATOR).build();
        HttpResponse<String> refused = HTTP.send(unsigned, HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(401);
        assertThat(refused.body()).containsIgnoringCase("signature");
    }
}
