package dev.cascade.deploy.target;

import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import java.nio.file.FileSystems;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Decides whether a pushed image is one a trigger follows, and whether it is newer than what runs. */
public final class ImagePolicy {

    private static final Pattern SEMVER = Pattern.compile("v?(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?");

    private ImagePolicy() {
    }

    /** Whether a push of {@code pushed} (tagged) is followed by {@code trigger}, given the tag the container runs now. */
    public static boolean follows(ImageTrigger trigger, ImageRef pushed, Optional<String> runningTag, RegistryAliases aliases) {
        ImageRef from = parseFrom(trigger.from(), aliases);
        if (!from.name().equals(pushed.name()) || pushed.tag() == null) {
            return false;
        }
        return switch (trigger.policy()) {
            case "digest" -> pushed.tag().equals(from.tag());
            case "glob" -> FileSystems.getDefault().getPathMatcher("glob:" + from.tag()).matches(java.nio.file.Path.of(pushed.tag()));
            default -> semverWithin(pushed.tag(), runningTag.orElse(from.tag()), trigger.bound());
        };
    }

    /** A semver tag newer than {@code current} within the bound ({@code major}, {@code minor}, {@code patch}). */
    static boolean semverWithin(String candidate, String current, String bound) {
        Optional<int[]> c = version(candidate);
        Optional<int[]> r = version(current);
        if (c.isEmpty() || r.isEmpty()) {
            return false;
        }
        int[] a = c.get();
        int[] b = r.get();
        boolean inBound = switch (bound) {
            case "patch" -> a[0] == b[0] && a[1] == b[1];
            case "minor" -> a[0] == b[0];
            default -> true;
        };
        return inBound && compare(a, b) > 0;
    }

    /** Positive when tag {@code a} is a higher version than {@code b}; empty when either is no version. */
    public static Optional<Integer> compareVersions(String a, String b) {
        Optional<int[]> x = version(a);
        Optional<int[]> y = version(b);
        return x.isPresent() && y.isPresent() ? Optional.of(compare(x.get(), y.get())) : Optional.empty();
    }

    private static int compare(int[] a, int[] b) {
        for (int i = 0; i < 3; i++) {
            if (a[i] != b[i]) {
                return Integer.compare(a[i], b[i]);
            }
        }
        return 0;
    }

    private static Optional<int[]> version(String tag) {
        Matcher m = SEMVER.matcher(tag);
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new int[] {Integer.parseInt(m.group(1)), m.group(2) == null ? 0 : Integer.parseInt(m.group(2)),
                m.group(3) == null ? 0 : Integer.parseInt(m.group(3))});
    }

    /** The trigger's {@code from}, whose tag may be a glob pattern ImageRef would refuse. */
    static ImageRef parseFrom(String from, RegistryAliases aliases) {
        int slash = from.lastIndexOf('/');
        int colon = from.lastIndexOf(':');
        if (colon > slash) {
            String tag = from.substring(colon + 1);
            ImageRef name = ImageRef.parse(from.substring(0, colon) + ":placeholder", aliases);
            return new ImageRef(name.registry(), name.repository(), tag, null);
        }
        return ImageRef.parse(from, aliases);
    }
}
