package dev.cascade.build.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The columns of a {@link Build} that hold more than one value, read and written in one place: its base digests (a
 * JSON object of base image to digest) and the configs it waits for (comma-separated).
 */
public final class BuildColumns {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BuildColumns() {
    }

    /** The base digests stored as {@code text}; empty when there are none or they cannot be read. */
    @SuppressWarnings("unchecked")
    public static Map<String, String> baseDigests(String text) {
        try {
            return text == null ? Map.of() : JSON.readValue(text, Map.class);
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    /** The base digests as they are stored. */
    public static String baseDigests(Map<String, String> digests) {
        try {
            return JSON.writeValueAsString(digests);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The configs a build waits for, as stored in {@code text}; empty when null. */
    public static List<String> after(String text) {
        return text == null ? List.of() : List.of(text.split(","));
    }

    /** The configs a build waits for as they are stored; null when there are none. */
    public static String after(Collection<String> configs) {
        return configs.isEmpty() ? null : String.join(",", configs);
    }
}
