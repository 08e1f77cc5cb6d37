package dev.cascade.build.config;

import java.util.List;

/** A build config that cannot be accepted: each violation names the field and the reason ({@code 422}). */
public class InvalidConfigException extends RuntimeException {

    /** One field and why it is wrong. */
    public record Violation(String field, String reason) {
    }

    private final List<Violation> violations;

    public InvalidConfigException(List<Violation> violations) {
        super(violations.stream().map(v -> v.field() + ": " + v.reason()).reduce((a, b) -> a + "; " + b).orElse("invalid"));
        this.violations = List.copyOf(violations);
    }

    public InvalidConfigException(String field, String reason) {
        this(List.of(new Violation(field, reason)));
    }

    public List<Violation> violations() {
        return violations;
    }
}
