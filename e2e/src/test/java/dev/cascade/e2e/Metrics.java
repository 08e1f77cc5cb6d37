package dev.cascade.e2e;

import static io.restassured.RestAssured.given;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One reading of a service's {@code /q/metrics} (the Prometheus text format), and the sum of the samples of one
 * metric whose labels include the given ones.
 */
record Metrics(String text) {

    private static final Pattern SAMPLE = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{([^}]*)\\})? ([-+0-9.eENaInf]+)$");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    static Metrics of(String baseUrl) {
        return new Metrics(given().baseUri(baseUrl).get("/q/metrics").then().statusCode(200).extract().asString());
    }

    /** The sum of {@code name}'s samples that carry every label of {@code labels}; 0 when there is none. */
    double sum(String name, Map<String, String> labels) {
        double total = 0;
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            if (!m.group(1).equals(name)) {
                continue;
            }
            Map<String, String> found = new java.util.HashMap<>();
            if (m.group(3) != null) {
                Matcher l = LABEL.matcher(m.group(3));
                while (l.find()) {
                    found.put(l.group(1), l.group(2));
                }
            }
            if (found.entrySet().containsAll(labels.entrySet())) {
                total += Double.parseDouble(m.group(4));
            }
        }
        return total;
    }

    double sum(String name) {
        return sum(name, Map.of());
    }

    /** The names of the metrics that start with {@code prefix}. */
    java.util.SortedSet<String> names(String prefix) {
        java.util.SortedSet<String> names = new java.util.TreeSet<>();
        Matcher m = SAMPLE.matcher(text);
        while (m.find()) {
            if (m.group(1).startsWith(prefix)) {
                names.add(m.group(1));
            }
        }
        return names;
    }

    boolean has(String name) {
        return Pattern.compile("(?m)^" + Pattern.quote(name) + "[{ ]").matcher(text).find();
    }
}
