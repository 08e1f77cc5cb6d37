package dev.cascade.testsupport.kube;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.mockwebserver.http.MockResponse;
import java.io.ByteArrayOutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The API server's {@code GET /api/v1/namespaces/{ns}/pods/{name}/log}, answered from the kubelet's records with the
 * query parameters and the errors of the real endpoint. The mock server answers each request whole, so
 * {@code follow=true} gets what the log holds now and the response ends, as a real follow stream ends when the API
 * server or kubelet restarts; a client reconnects with {@code sinceTime}.
 */
final class PodLogEndpoint {

    static final Pattern PATH = Pattern.compile("^/api/v1/namespaces/([^/]+)/pods/([^/?]+)/log(?:\\?(.*))?$");

    private final Function<String, Optional<PodRun>> runs;
    /** Logs of pods another controller runs (the kubelet does not run their namespace), by {@code namespace/name}. */
    private final Map<String, ContainerLog> served = new ConcurrentHashMap<>();

    PodLogEndpoint(Function<String, Optional<PodRun>> runsByUid) {
        this.runs = runsByUid;
    }

    ContainerLog served(String namespace, String pod) {
        return served.computeIfAbsent(namespace + "/" + pod, k -> new ContainerLog());
    }

    /** Answers a log request; {@code pod} is the pod as the API server holds it, or null. */
    MockResponse answer(Matcher path, Pod pod) {
        String ns = path.group(1);
        String name = path.group(2);
        Map<String, String> query = query(path.group(3));
        if (pod == null) {
            return ApiStatus.response(404, "pods \"" + name + "\" not found", null, "pods", name);
        }
        List<String> containers = pod.getSpec().getContainers().stream().map(Container::getName).toList();
        List<String> inits = pod.getSpec().getInitContainers().stream().map(Container::getName).toList();
        String container = query.get("container");
        if (container == null || container.isEmpty()) {
            if (containers.size() + inits.size() != 1) {
                return ApiStatus.response(400, "a container name must be specified for pod " + name + ", choose one of: ["
                        + String.join(" ", containers) + "]" + (inits.isEmpty() ? "" : " or one of the init containers: ["
                        + String.join(" ", inits) + "]"));
            }
            container = containers.isEmpty() ? inits.get(0) : containers.get(0);
        } else if (!containers.contains(container) && !inits.contains(container)) {
            return ApiStatus.response(400, "container " + container + " is not valid for pod " + name);
        }
        if ("true".equals(query.get("previous"))) {
            return ApiStatus.response(400, "previous terminated container \"" + container + "\" in pod \"" + name + "\" not found");
        }
        ContainerLog log = served.get(ns + "/" + name);
        if (log == null) {
            String c = container;
            Optional<ContainerRun> run = runs.apply(pod.getMetadata().getUid()).flatMap(r -> r.container(c));
            if (run.isEmpty() || !run.get().started()) {
                String reason = run.map(ContainerRun::waitingReason).orElseGet(() -> waitingReason(pod, c));
                return ApiStatus.response(400, "container \"" + container + "\" in pod \"" + name + "\" is waiting to start: "
                        + (reason == null ? "ContainerCreating" : reason));
            }
            log = run.get().log();
        }
        try {
            return new MockResponse().setResponseCode(200).setHeader("Content-Type", "text/plain").setBody(render(log, query));
        } catch (IllegalArgumentException | DateTimeParseException e) {
            return ApiStatus.response(400, e.getMessage());
        }
    }

    private static String waitingReason(Pod pod, String container) {
        if (pod.getStatus() == null) {
            return null;
        }
        return Stream.concat(pod.getStatus().getInitContainerStatuses().stream(), pod.getStatus().getContainerStatuses().stream())
                .filter(s -> s.getName().equals(container)).map(ContainerStatus::getState)
                .filter(s -> s != null && s.getWaiting() != null).map(s -> s.getWaiting().getReason()).findFirst().orElse(null);
    }

    /** The log with {@code sinceTime}/{@code sinceSeconds}, {@code tailLines}, {@code timestamps} and {@code limitBytes} applied. */
    static byte[] render(ContainerLog log, Map<String, String> query) {
        List<ContainerLog.Line> lines = new ArrayList<>(log.lines());
        Instant since = null;
        if (query.get("sinceTime") != null) {
            since = OffsetDateTime.parse(query.get("sinceTime")).toInstant();
        } else if (query.get("sinceSeconds") != null) {
            since = Instant.now().minusSeconds(positive(query, "sinceSeconds"));
        }
        if (since != null) {
            Instant from = since;
            lines.removeIf(l -> l.time().isBefore(from));
        }
        if (query.get("tailLines") != null) {
            long tail = positive(query, "tailLines");
            lines = lines.subList((int) Math.max(0, lines.size() - tail), lines.size());
        }
        boolean timestamps = "true".equals(query.get("timestamps"));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (ContainerLog.Line l : lines) {
            if (timestamps) {
                out.writeBytes((ContainerLog.RFC3339_NANO.format(l.time()) + " ").getBytes(StandardCharsets.UTF_8));
            }
            out.writeBytes(l.bytes());
        }
        byte[] bytes = out.toByteArray();
        if (query.get("limitBytes") != null) {
            long limit = positive(query, "limitBytes");
            if (limit < bytes.length) {
                bytes = java.util.Arrays.copyOf(bytes, (int) limit);
            }
        }
        return bytes;
    }

    private static long positive(Map<String, String> query, String name) {
        try {
            long value = Long.parseLong(query.get(name));
            if (value < 0 || (value == 0 && !name.equals("tailLines"))) {
                throw new IllegalArgumentException(name + ": Invalid value: " + value + ": must be greater than 0");
            }
            return value;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": Invalid value: \"" + query.get(name) + "\"");
        }
    }

    static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                query.put(key, eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return query;
    }
}
