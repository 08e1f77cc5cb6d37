package dev.cascade.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One challenge of a {@code WWW-Authenticate} header: {@code bearer} with realm, service and scope, or {@code basic}.
 *
 * @param scheme the auth scheme in lower case
 * @param params the challenge's parameters, names in lower case, quoted values unescaped
 */
record AuthChallenge(String scheme, Map<String, String> params) {

    /** A challenge's {@code param=value} (value quoted or not), or an auth scheme's name. */
    private static final Pattern TOKEN = Pattern.compile(
            "([A-Za-z][\\w-]*)\\s*=\\s*(?:\"((?:[^\"\\\\]|\\\\.)*)\"|([^\\s,\"]*))|([A-Za-z][\\w!#$%&'*+.^`|~-]*)");

    /** Challenges of {@code WWW-Authenticate} values, in order; one value may hold several. */
    static List<AuthChallenge> parse(List<String> values) {
        List<AuthChallenge> challenges = new ArrayList<>();
        for (String value : values) {
            Matcher m = TOKEN.matcher(value);
            Map<String, String> params = null;
            while (m.find()) {
                if (m.group(4) != null) {
                    params = new LinkedHashMap<>();
                    challenges.add(new AuthChallenge(m.group(4).toLowerCase(Locale.ROOT), params));
                } else if (params != null) {
                    params.put(m.group(1).toLowerCase(Locale.ROOT),
                            m.group(2) != null ? m.group(2).replaceAll("\\\\(.)", "$1") : m.group(3));
                }
            }
        }
        return challenges;
    }

    /** The first challenge of a scheme ({@code bearer}, {@code basic}), or null. */
    static AuthChallenge first(List<AuthChallenge> challenges, String scheme) {
        for (AuthChallenge c : challenges) {
            if (c.scheme().equals(scheme)) {
                return c;
            }
        }
        return null;
    }
}
