package dev.cascade.trigger.api;

import dev.cascade.api.problem.Problems;
import jakarta.ws.rs.core.Response;

/** The former name of {@link Problems#response(Response.StatusType, String)}, which callers now use directly. */
@Deprecated(forRemoval = true)
public final class Problem {

    private Problem() {
    }

    public static Response response(Response.Status status, String detail) {
        return Problems.response(status, detail);
    }
}
