package dev.cascade.buildstep.source;

import dev.cascade.common.image.ImageRef;
import dev.cascade.common.image.RegistryAliases;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the base images a Dockerfile builds on: every {@code FROM} (multi-stage included) and every
 * {@code COPY --from=} / {@code RUN --mount=from=} naming an image, with {@code ARG} defaults before the
 * first {@code FROM} and build args substituted, {@code --platform} skipped, references to earlier stages
 * and {@code scratch} left out. Line continuations, comments and parser directives are honoured.
 */
public final class DockerfileBases {

    private static final Pattern FROM_FLAG = Pattern.compile("--(?:from|mount=[^\\s]*from)=([^\\s,]+)");
    private static final Pattern VARIABLE =
            Pattern.compile("\\$(?:\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?}|([A-Za-z_][A-Za-z0-9_]*))");

    private DockerfileBases() {
    }

    /** A base image and the stage (or instruction) that uses it. */
    public record Base(ImageRef image, String usedBy) {
    }

    /** Every base image, and the one the final stage is built on (empty for {@code scratch}). */
    public record Bases(List<Base> all, Optional<ImageRef> finalBase) {
    }

    /**
     * @param buildArgs build arguments given to the build ({@code --build-arg}); they override ARG defaults
     * @throws IllegalArgumentException when a FROM names no valid image after substitution
     */
    public static List<Base> parse(String dockerfile, Map<String, String> buildArgs, RegistryAliases aliases) {
        return analyse(dockerfile, buildArgs, aliases).all();
    }

    /** All bases, and the final stage's base (followed through references to earlier stages). */
    public static Bases analyse(String dockerfile, Map<String, String> buildArgs, RegistryAliases aliases) {
        Map<String, String> globalArgs = new HashMap<>();
        Map<String, String> stageImage = new HashMap<>(); // stage name or index -> the image it starts from
        List<Base> bases = new ArrayList<>();
        Set<String> seen = new LinkedHashSet<>();
        String finalImage = null;
        int stageIndex = 0;

        for (String instruction : instructions(dockerfile)) {
            String[] words = instruction.trim().split("\\s+", 2);
            String keyword = words[0].toUpperCase(Locale.ROOT);
            String rest = words.length > 1 ? words[1].trim() : "";
            switch (keyword) {
                case "ARG" -> {
                    if (finalImage == null) { // only ARGs before the first FROM apply to FROM lines
                        declareArgs(rest, buildArgs, globalArgs);
                    }
                }
                case "FROM" -> {
                    List<String> parts = new ArrayList<>(List.of(rest.split("\\s+")));
                    parts.removeIf(p -> p.startsWith("--") || p.isEmpty());
                    if (parts.isEmpty()) {
                        throw new IllegalArgumentException("FROM without an image");
                    }
                    String image = substitute(parts.get(0), globalArgs);
                    String stageName = parts.size() >= 3 && parts.get(1).equalsIgnoreCase("AS") ? parts.get(2).toLowerCase(Locale.ROOT) : null;
                    addBase(image, stageName != null ? stageName : "stage " + stageIndex, stageImage.keySet(), bases, seen, aliases);
                    String startsFrom = stageImage.getOrDefault(image.toLowerCase(Locale.ROOT), image);
                    if (stageName != null) {
                        stageImage.put(stageName, startsFrom);
                    }
                    stageImage.put(Integer.toString(stageIndex++), startsFrom);
                    finalImage = startsFrom;
                }
                case "COPY", "RUN", "ADD" -> {
                    Matcher m = FROM_FLAG.matcher(rest);
                    while (m.find()) {
                        addBase(substitute(m.group(1), globalArgs), keyword.toLowerCase(Locale.ROOT) + " --from in stage " + (stageIndex - 1),
                                stageImage.keySet(), bases, seen, aliases);
                    }
                }
                default -> {
                    // other instructions name no image
                }
            }
        }
        if (finalImage == null) {
            throw new IllegalArgumentException("Dockerfile has no FROM");
        }
        Optional<ImageRef> finalBase = finalImage.equalsIgnoreCase("scratch") ? Optional.empty() : Optional.of(ImageRef.parse(finalImage, aliases));
        return new Bases(bases, finalBase);
    }

    private static void declareArgs(String declarations, Map<String, String> buildArgs, Map<String, String> globalArgs) {
        for (String decl : declarations.split("\\s+")) {
            int eq = decl.indexOf('=');
            String name = eq < 0 ? decl : decl.substring(0, eq);
            String value = buildArgs.containsKey(name) ? buildArgs.get(name) : eq < 0 ? null : unquote(decl.substring(eq + 1));
            if (value != null) {
                globalArgs.put(name, value);
            }
        }
    }

    private static void addBase(String image, String usedBy, Set<String> stages, List<Base> bases, Set<String> seen,
                                RegistryAliases aliases) {
        String lower = image.toLowerCase(Locale.ROOT);
        if (lower.equals("scratch") || stages.contains(lower)) {
            return;
        }
        if (image.contains("$")) {
            throw new IllegalArgumentException("base image '" + image + "' uses a build arg without a value");
        }
        ImageRef ref = ImageRef.parse(image, aliases);
        if (seen.add(ref.toString())) {
            bases.add(new Base(ref, usedBy));
        }
    }

    /** Instructions with continuations joined, comments and blank lines dropped. */
    static List<String> instructions(String dockerfile) {
        char escape = '\\';
        List<String> out = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean directivesPossible = true;
        for (String raw : dockerfile.split("\\r?\\n", -1)) {
            String line = raw.strip();
            if (directivesPossible && line.startsWith("#")) {
                Matcher d = Pattern.compile("^#\\s*escape\\s*=\\s*(\\S)\\s*$", Pattern.CASE_INSENSITIVE).matcher(line);
                if (d.matches()) {
                    escape = d.group(1).charAt(0);
                    continue;
                }
            }
            if (!line.isEmpty()) {
                directivesPossible = false;
            }
            if (line.startsWith("#") || (line.isEmpty() && current.length() == 0)) {
                continue;
            }
            if (!line.isEmpty() && line.charAt(line.length() - 1) == escape) {
                current.append(line, 0, line.length() - 1).append(' ');
                continue;
            }
            current.append(line);
            if (current.length() > 0) {
                out.add(current.toString());
            }
            current.setLength(0);
        }
        if (current.length() > 0) {
            out.add(current.toString());
        }
        return out;
    }

    static String substitute(String text, Map<String, String> args) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(4);
            String operator = m.group(2);
            String word = m.group(3);
            String value = args.get(name);
            boolean set = value != null;
            boolean nonEmpty = set && !value.isEmpty();
            String replacement;
            if (operator == null) {
                replacement = set ? value : m.group(0); // left in place: the caller reports it
            } else {
                replacement = switch (operator) {
                    case ":-" -> nonEmpty ? value : word;
                    case "-" -> set ? value : word;
                    case ":+" -> nonEmpty ? word : "";
                    default -> set ? word : ""; // "+"
                };
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(sb);
        return unquote(sb.toString());
    }

    private static String unquote(String s) {
        if (s.length() >= 2 && (s.startsWith("\"") && s.endsWith("\"") || s.startsWith("'") && s.endsWith("'"))) {
            return s.substring(1, s.length() - 1);
        }
        return s;
    }
}
