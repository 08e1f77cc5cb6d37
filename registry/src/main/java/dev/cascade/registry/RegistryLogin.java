package dev.cascade.registry;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Objects;

/** Credentials for one registry; {@link #toString()} never shows the password. */
public record RegistryLogin(String user, String password) {

    public RegistryLogin {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
    }

    /** The {@code Authorization} header value of HTTP basic authentication. */
    String basic() {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public String toString() {
        return "RegistryLogin[user=" + user + ", password=***]";
    }
}
