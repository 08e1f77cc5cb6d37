package dev.cascade.testsupport.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;

/**
 * The API server: the mock server's CRUD store and watches, plus what the CRUD mode lacks — the pod log endpoint
 * (served from the kubelet), admission refusals on create, and a switch that answers every request
 * {@code 503 Service Unavailable}. Runs on the mock server's event loop, so it never calls the API itself.
 */
final class ClusterDispatcher extends KubernetesCrudDispatcher {

    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private final Admission admission;
    private final PodLogEndpoint logs;
    private volatile boolean unavailable;

    ClusterDispatcher(Admission admission, PodLogEndpoint logs) {
        this.admission = admission;
        this.logs = logs;
    }

    void unavailable(boolean unavailable) {
        this.unavailable = unavailable;
    }

    @Override
    public MockResponse dispatch(RecordedRequest request) {
        if (unavailable) {
            return ApiStatus.response(503, "the server is currently unable to handle the request");
        }
        String path = request.getPath();
        if (request.method() == HttpMethod.GET) {
            Matcher log = PodLogEndpoint.PATH.matcher(path);
            if (log.matches()) {
                return logs.answer(log, pod(log.group(1), log.group(2)));
            }
        }
        if (request.method() == HttpMethod.POST) {
            MockResponse refused = admission.review(path, request.getBody().getBytes());
            if (refused != null) {
                return refused;
            }
        }
        return super.dispatch(request);
    }

    /** The pod as stored, or null. */
    private Pod pod(String namespace, String name) {
        MockResponse stored = handleGet("/api/v1/namespaces/" + namespace + "/pods/" + name);
        if (stored.code() != 200 || stored.getBody() == null) {
            return null;
        }
        return JSON.unmarshal(new String(stored.getBody().getBytes(), StandardCharsets.UTF_8), Pod.class);
    }
}
