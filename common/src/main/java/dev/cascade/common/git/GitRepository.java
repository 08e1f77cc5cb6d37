package dev.cascade.common.git;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The identity of a git repository, independent of how a URL spells it.
 *
 * <p>{@code https://github.com/o/r}, {@code https://github.com/o/r.git}, {@code git@github.com:o/r.git}
 * and {@code ssh://git@GitHub.com/o/r} all name one repository, whose canonical form is
 * {@code https://github.com/o/r}: scheme {@code https}, host in lower case, no user, no default port,
 * no {@code .git} suffix, no trailing slash. Paths keep their case. Local repositories
 * ({@code file:///srv/git/r.git} or an absolute path) are canonicalised to {@code file:///srv/git/r}.
 * The canonical URL is an identity, not a clone URL: build-service clones from the URL configured
 * for a build, never from this form.
 */
public record GitRepository(String canonicalUrl) {

    // user@host:path, the scp-like form git accepts for ssh (no scheme, no slash before the colon)
    private static final Pattern SCP_LIKE = Pattern.compile("^(?:([^@/:]+)@)?([^/:]+):(?!//)(.+)$");

    /**
     * Normalises any URL form git itself accepts for a remote.
     *
     * @throws IllegalArgumentException when the text is not a repository URL
     */
    public static GitRepository parse(String url) {
        if (url == null || url.isBlank()) {
            throw new IllegalArgumentException("repository URL is empty");
        }
        String text = url.trim();
        if (text.startsWith("/")) {
            return new GitRepository("file://" + stripGitSuffix(collapseSlashes(text)));
        }
        if (!text.contains("://")) {
            Matcher scp = SCP_LIKE.matcher(text);
            if (!scp.matches()) {
                throw new IllegalArgumentException("not a repository URL: " + url);
            }
            return fromParts("ssh", scp.group(2), -1, scp.group(3), url);
        }
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("not a repository URL: " + url + " (" + e.getReason() + ")");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        switch (scheme) {
            case "file" -> {
                String path = uri.getPath();
                if (path == null || path.isEmpty()) {
                    throw new IllegalArgumentException("file URL without a path: " + url);
                }
                return new GitRepository("file://" + stripGitSuffix(collapseSlashes(path)));
            }
            case "https", "http", "ssh", "git", "git+ssh", "ssh+git" -> {
                if (uri.getHost() == null) {
                    throw new IllegalArgumentException("repository URL without a host: " + url);
                }
                return fromParts(scheme, uri.getHost(), uri.getPort(), uri.getPath(), url);
            }
            default -> throw new IllegalArgumentException("unsupported repository URL scheme '" + scheme + "': " + url);
        }
    }

    private static GitRepository fromParts(String scheme, String host, int port, String path, String original) {
        String cleanPath = stripGitSuffix(collapseSlashes("/" + (path == null ? "" : path)));
        if (cleanPath.equals("/") || cleanPath.isEmpty()) {
            throw new IllegalArgumentException("repository URL without a path: " + original);
        }
        // An ssh or git-protocol port says nothing about where https listens, so only an explicit web port survives.
        boolean keepPort = (scheme.equals("https") && port != 443 && port > 0) || (scheme.equals("http") && port != 80 && port > 0);
        String authority = host.toLowerCase(Locale.ROOT) + (keepPort ? ":" + port : "");
        return new GitRepository("https://" + authority + cleanPath);
    }

    private static String collapseSlashes(String path) {
        String collapsed = path.replaceAll("/{2,}", "/");
        while (collapsed.length() > 1 && collapsed.endsWith("/")) {
            collapsed = collapsed.substring(0, collapsed.length() - 1);
        }
        return collapsed;
    }

    private static String stripGitSuffix(String path) {
        String p = path;
        if (p.endsWith(".git")) {
            p = p.substring(0, p.length() - 4);
        }
        while (p.length() > 1 && p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return p;
    }

    /** Whether two URLs name the same repository. */
    public static boolean same(String a, String b) {
        return parse(a).equals(parse(b));
    }

    @Override
    public String toString() {
        return canonicalUrl;
    }
}
