package dev.cascade.testsupport.kube;

import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.StatusDetailsBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.MockResponse;

/** The {@code Status} bodies an API server answers failed requests with, as mock responses. */
final class ApiStatus {

    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private ApiStatus() {
    }

    /** The reason an API server gives with a code ({@code metav1.StatusReason}). */
    static String reason(int code) {
        return switch (code) {
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 409 -> "Conflict";
            case 410 -> "Expired";
            case 422 -> "Invalid";
            case 429 -> "TooManyRequests";
            case 503 -> "ServiceUnavailable";
            case 504 -> "Timeout";
            default -> code >= 500 ? "InternalError" : "";
        };
    }

    static MockResponse response(int code, String message) {
        return response(code, message, null, null, null);
    }

    /** A failure {@code Status}; group, kind (the resource's plural, as the API server puts it) and name may be null. */
    static MockResponse response(int code, String message, String group, String plural, String name) {
        StatusBuilder status = new StatusBuilder().withStatus("Failure").withMessage(message).withReason(reason(code)).withCode(code)
                .withNewMetadata().endMetadata();
        if (plural != null || name != null) {
            status.withDetails(new StatusDetailsBuilder().withGroup(group).withKind(plural).withName(name).build());
        }
        Status body = status.build();
        return new MockResponse().setResponseCode(code).setHeader("Content-Type", "application/json").setBody(JSON.asJson(body));
    }
}
