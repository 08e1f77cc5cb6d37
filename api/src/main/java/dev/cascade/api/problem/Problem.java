package dev.cascade.api.problem;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An RFC 9457 problem-details body, the shape of every error the services answer: {@code type}, {@code title},
 * {@code status}, {@code detail} (left out when there is none), then the extension members (e.g. a config's
 * {@code violations}) in the order given, each only when it has a value.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(String type, String title, int status, String detail, @JsonIgnore Map<String, Object> extensions) {

    public Problem {
        Map<String, Object> present = new LinkedHashMap<>();
        if (extensions != null) {
            extensions.forEach((name, value) -> {
                if (value != null) {
                    present.put(name, value);
                }
            });
        }
        extensions = Collections.unmodifiableMap(present);
    }

    /** The extension members, written beside the standard ones. */
    @JsonAnyGetter
    public Map<String, Object> extensionMembers() {
        return extensions;
    }
}
