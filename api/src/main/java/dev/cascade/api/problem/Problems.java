package dev.cascade.api.problem;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.LinkedHashMap;
import java.util.Map;

/** Builds the answer of an error: its status and a {@link Problem} body as {@code application/problem+json}. */
public final class Problems {

    public static final String MEDIA_TYPE = "application/problem+json";

    private Problems() {
    }

    /** A problem titled with the status's reason phrase. */
    public static Response response(Response.StatusType status, String detail) {
        return response(status.getStatusCode(), status.getReasonPhrase(), detail);
    }

    public static Response response(int status, String title, String detail) {
        return response(status, title, detail, Map.of());
    }

    /** A problem with extension members; those whose value is null are left out. */
    public static Response response(int status, String title, String detail, Map<String, ?> extensions) {
        return Response.status(status)
                .type(MediaType.valueOf(MEDIA_TYPE))
                .entity(new Problem("about:blank", title, status, detail, new LinkedHashMap<>(extensions)))
                .build();
    }
}
