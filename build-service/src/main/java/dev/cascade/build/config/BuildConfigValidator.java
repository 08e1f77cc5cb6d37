package dev.cascade.build.config;

import dev.cascade.common.git.GitRepository;
import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Checks a spec (after defaults) field by field; every problem is reported at once. */
public final class BuildConfigValidator {

    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern ARG_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private BuildConfigValidator() {
    }

    /** @throws InvalidConfigException naming every field that is wrong */
    public static void validate(BuildConfigSpec spec, RegistryAliases aliases) {
        List<InvalidConfigException.Violation> v = new ArrayList<>();
        if (spec.name() == null || !NAME.matcher(spec.name()).matches()) {
            v.add(new InvalidConfigException.Violation("name", "must be a DNS-1123 label (lower-case letters, digits, '-', at most 63)"));
        }
        BuildConfigSpec.Source source = spec.source();
        if (source.repository() == null) {
            v.add(new InvalidConfigException.Violation("source.repository", "is required"));
        } else {
            try {
                GitRepository.parse(source.repository());
            } catch (IllegalArgumentException e) {
                v.add(new InvalidConfigException.Violation("source.repository", e.getMessage()));
            }
        }
        if (source.branch().isBlank() || source.branch().startsWith("-") || source.branch().contains("..")) {
            v.add(new InvalidConfigException.Violation("source.branch", "is not a valid branch name"));
        }
        checkInside("source.contextDir", source.contextDir(), v);
        checkInside("source.dockerfile", source.dockerfile(), v);

        String type = spec.strategy().type();
        if (!BuildConfigSpec.DOCKER.equals(type) && !BuildConfigSpec.SOURCE.equals(type)) {
            v.add(new InvalidConfigException.Violation("strategy.type", "must be 'docker' or 'source', not '" + type + "'"));
        }
        ImageRef output = null;
        if (spec.output() == null) {
            v.add(new InvalidConfigException.Violation("output", "is required"));
        } else {
            try {
                output = ImageRef.parse(spec.output(), aliases);
                if (output.digest() != null) {
                    v.add(new InvalidConfigException.Violation("output", "must be a tag, not a digest: a build pushes a new digest"));
                }
            } catch (IllegalArgumentException e) {
                v.add(new InvalidConfigException.Violation("output", e.getMessage()));
            }
        }
        if (BuildConfigSpec.SOURCE.equals(type)) {
            if (spec.strategy().builderImage() == null) {
                v.add(new InvalidConfigException.Violation("strategy.builderImage", "is required for the source strategy"));
            } else {
                try {
                    ImageRef builder = ImageRef.parse(spec.strategy().builderImage(), aliases);
                    if (output != null && builder.withoutDigest().equals(output.withoutDigest())) {
                        v.add(new InvalidConfigException.Violation("strategy.builderImage",
                                "cycle: the builder image is the config's own output " + output));
                    }
                } catch (IllegalArgumentException e) {
                    v.add(new InvalidConfigException.Violation("strategy.builderImage", e.getMessage()));
                }
            }
        }
        checkNames("buildArgs", spec.buildArgs(), v);
        checkNames("env", spec.env(), v);
        if (RunPolicy.fromWire(spec.runPolicy()).isEmpty()) {
            v.add(new InvalidConfigException.Violation("runPolicy", "must be Serial, Parallel or SerialLatestOnly"));
        }
        if (spec.timeoutSeconds() < 1 || spec.timeoutSeconds() > 86_400) {
            v.add(new InvalidConfigException.Violation("timeoutSeconds", "must be between 1 and 86400"));
        }
        if (spec.history().successful() < 0 || spec.history().successful() > 1000) {
            v.add(new InvalidConfigException.Violation("history.successful", "must be between 0 and 1000"));
        }
        if (spec.history().failed() < 0 || spec.history().failed() > 1000) {
            v.add(new InvalidConfigException.Violation("history.failed", "must be between 0 and 1000"));
        }
        if (!v.isEmpty()) {
            throw new InvalidConfigException(v);
        }
    }

    /** A path that must stay inside the checked-out workspace. */
    private static void checkInside(String field, String path, List<InvalidConfigException.Violation> v) {
        if (path == null || path.isBlank() || path.contains("\0")) {
            v.add(new InvalidConfigException.Violation(field, "is empty"));
            return;
        }
        Path p = Path.of(path).normalize();
        if (p.isAbsolute() || p.startsWith("..")) {
            v.add(new InvalidConfigException.Violation(field, "must be a relative path inside the repository: " + path));
        }
    }

    private static void checkNames(String field, Map<String, String> values, List<InvalidConfigException.Violation> v) {
        values.forEach((k, val) -> {
            if (!ARG_NAME.matcher(k).matches()) {
                v.add(new InvalidConfigException.Violation(field + "." + k, "is not a valid variable name"));
            }
            if (val == null) {
                v.add(new InvalidConfigException.Violation(field + "." + k, "has no value"));
            }
        });
    }
}
