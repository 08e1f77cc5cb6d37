package dev.cascade.registry;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/** Reads a {@code Retry-After} header (RFC 9110 §10.2.3): a number of seconds, or an HTTP date. */
final class RetryAfter {

    private RetryAfter() {
    }

    /** The wait a response asks for; null when it names none or names one that cannot be read. */
    static Duration of(HttpResponse<?> response, Instant now) {
        return response.headers().firstValue("Retry-After").map(v -> parse(v, now)).orElse(null);
    }

    /**
     * @param value {@code 120} or {@code Wed, 21 Oct 2026 07:28:00 GMT}
     * @param now   the instant a date is measured from
     * @return the wait (zero for a date in the past), or null for a value that is neither form
     */
    static Duration parse(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.trim();
        if (v.chars().allMatch(Character::isDigit)) {
            try {
                return Duration.ofSeconds(Long.parseLong(v));
            } catch (NumberFormatException e) {
                return null; // more digits than a long holds
            }
        }
        try {
            Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
            return at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO;
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
