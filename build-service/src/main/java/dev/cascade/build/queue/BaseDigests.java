package dev.cascade.build.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;

/** A build's {@link Build#baseDigests}: each base image and the digest the build used, as a JSON object. */
public final class BaseDigests {

    private static final ObjectMapper JSON = new ObjectMapper();

    private BaseDigests() {
    }

    /** The base digests stored as {@code text}; empty when there are none or they cannot be read. */
    @SuppressWarnings("unchecked")
    public static Map<String, String> read(String text) {
        try {
            return text == null ? Map.of() : JSON.readValue(text, Map.class);
        } catch (JsonProcessingException e) {
            return Map.of();
        }
    }

    /** The base digests as they are stored. */
    public static String write(Map<String, String> digests) {
        try {
            return JSON.writeValueAsString(digests);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
