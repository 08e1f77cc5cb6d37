package dev.cascade.install;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * A service's {@code src/main/resources/application.properties} as the running service reads it: the properties of
 * no profile (those of {@code %test} and {@code %dev} do not apply on a cluster), and the environment variables their
 * values refer to, {@code ${CASCADE_X}} or {@code ${CASCADE_X:default}}, defaults nested as Quarkus allows.
 */
final class ServiceProperties {

    /** One {@code ${NAME}} or {@code ${NAME:default}} in a property's value; {@code fallback} is null without a default. */
    record Reference(String property, String name, String fallback) {

        /**
         * What a cluster must set: a variable without a default, or whose default points at this machine (the local
         * run's Kafka, database or service URLs), which no pod reaches.
         */
        boolean neededOnCluster() {
            return fallback == null || fallback.contains("localhost") || fallback.contains("127.0.0.1");
        }
    }

    final String service;
    /** The properties of no profile. */
    final Map<String, String> properties;
    /** Every property as written, profiled ones with their {@code %profile.} prefix. */
    final Properties written;

    private ServiceProperties(String service, Map<String, String> properties, Properties written) {
        this.service = service;
        this.properties = properties;
        this.written = written;
    }

    static ServiceProperties of(String service) {
        Path file = RenderedBase.root().resolve(service).resolve("src/main/resources/application.properties");
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + file + ": " + e.getMessage(), e);
        }
        Map<String, String> properties = new LinkedHashMap<>();
        p.stringPropertyNames().stream().filter(k -> !k.startsWith("%")).sorted()
                .forEach(k -> properties.put(k, p.getProperty(k)));
        return new ServiceProperties(service, properties, p);
    }

    /** Every {@code CASCADE_*} variable the properties refer to, nested ones included. */
    List<Reference> cascadeVariables() {
        List<Reference> refs = new ArrayList<>();
        properties.forEach((k, v) -> collect(k, v, refs));
        return refs.stream().filter(r -> r.name().startsWith("CASCADE_")).toList();
    }

    private static void collect(String property, String value, List<Reference> into) {
        int i = 0;
        while ((i = value.indexOf("${", i)) >= 0) {
            int end = closing(value, i + 2);
            if (end < 0) {
                throw new AssertionError(property + ": unbalanced ${ in " + value);
            }
            String inner = value.substring(i + 2, end);
            int colon = topLevelColon(inner);
            String name = colon < 0 ? inner : inner.substring(0, colon);
            String fallback = colon < 0 ? null : inner.substring(colon + 1);
            into.add(new Reference(property, name, fallback));
            if (fallback != null) {
                collect(property, fallback, into);
            }
            i = end + 1;
        }
    }

    private static int closing(String s, int from) {
        int depth = 1;
        for (int j = from; j < s.length(); j++) {
            if (s.startsWith("${", j)) {
                depth++;
                j++;
            } else if (s.charAt(j) == '}' && --depth == 0) {
                return j;
            }
        }
        return -1;
    }

    private static int topLevelColon(String s) {
        int depth = 0;
        for (int j = 0; j < s.length(); j++) {
            if (s.startsWith("${", j)) {
                depth++;
                j++;
            } else if (s.charAt(j) == '}') {
                depth--;
            } else if (s.charAt(j) == ':' && depth == 0) {
                return j;
            }
        }
        return -1;
    }
}
