package dev.cascade.security;

import dev.cascade.common.hash.Sha256;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The API tokens a service accepts, each with a role. A token is configured either as itself or as
 * {@code sha256:<hex>} of it, so that a configuration need not hold the token; either way only digests are
 * kept in memory, and a presented token is compared with every one of them in constant time.
 */
public final class ApiTokens {

    /** What a token allows: a viewer reads; an operator also starts builds, rolls back, changes configuration. */
    public enum Role {
        VIEWER("viewer"), OPERATOR("operator");

        public final String roleName;

        Role(String roleName) {
            this.roleName = roleName;
        }

        /** The security roles an identity with this role has: an operator is a viewer too. */
        public Set<String> grants() {
            return this == OPERATOR ? Set.of(OPERATOR.roleName, VIEWER.roleName) : Set.of(VIEWER.roleName);
        }
    }

    /** A token that was accepted: its role and a name for logs that does not reveal it. */
    public record Holder(String name, Role role) {
    }

    private static final String SHA256_PREFIX = "sha256:";
    private static final int MIN_LENGTH = 16;

    private record Entry(byte[] digest, Role role) {
    }

    private final List<Entry> entries;

    private ApiTokens(List<Entry> entries) {
        this.entries = entries;
    }

    /**
     * @throws IllegalArgumentException for a token shorter than 16 characters or a malformed digest, naming the
     *                                  role and position but never the value
     */
    public static ApiTokens of(List<String> operatorTokens, List<String> viewerTokens) {
        List<Entry> entries = new ArrayList<>();
        add(entries, operatorTokens, Role.OPERATOR);
        add(entries, viewerTokens, Role.VIEWER);
        return new ApiTokens(List.copyOf(entries));
    }

    private static void add(List<Entry> entries, List<String> configured, Role role) {
        int position = 0;
        for (String raw : configured) {
            position++;
            String value = raw.trim();
            if (value.isEmpty()) {
                continue;
            }
            byte[] digest;
            if (value.regionMatches(true, 0, SHA256_PREFIX, 0, SHA256_PREFIX.length())) {
                String hex = value.substring(SHA256_PREFIX.length());
                if (!hex.matches("[0-9a-fA-F]{64}")) {
                    throw new IllegalArgumentException(role.roleName + " token #" + position + ": sha256: needs 64 hex digits");
                }
                digest = HexFormat.of().parseHex(hex);
            } else {
                if (value.length() < MIN_LENGTH) {
                    throw new IllegalArgumentException(role.roleName + " token #" + position + ": at least " + MIN_LENGTH + " characters");
                }
                digest = Sha256.of(value);
            }
            entries.add(new Entry(digest, role));
        }
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The holder of {@code presented}, if it is one of the configured tokens (the highest role when listed twice). */
    public Optional<Holder> holderOf(String presented) {
        if (presented == null || presented.isEmpty()) {
            return Optional.empty();
        }
        byte[] digest = Sha256.of(presented);
        Entry found = null;
        for (Entry e : entries) {
            // every entry is compared, each in constant time: the time taken tells nothing about which matched
            if (MessageDigest.isEqual(e.digest, digest) && (found == null || e.role == Role.OPERATOR)) {
                found = e;
            }
        }
        if (found == null) {
            return Optional.empty();
        }
        return Optional.of(new Holder(found.role.roleName + "-token-" + HexFormat.of().formatHex(digest, 0, 4), found.role));
    }

    /** {@code sha256:<hex>} of a token: what to configure instead of the token itself. */
    public static String digestOf(String token) {
        return SHA256_PREFIX + HexFormat.of().formatHex(Sha256.of(token));
    }
}
