package dev.cascade.testsupport.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Admission control, as a ResourceQuota or a validating policy refuses creations: each {@link Refusal} names a kind
 * of object (and optionally which of them) and the code and cause the API server answers with.
 */
public final class Admission {

    /** {@code POST} to a collection: the API group (absent for the core group), version, namespace and resource plural. */
    private static final Pattern COLLECTION = Pattern.compile("^/(?:api/v1|apis/([^/]+)/([^/]+))(?:/namespaces/([^/]+))?/([^/?]+)/?(?:\\?.*)?$");
    private static final KubernetesSerialization JSON = new KubernetesSerialization();

    private final List<Refusal> refusals = new CopyOnWriteArrayList<>();

    /** One refusal in force until it is {@link #close closed}. */
    public final class Refusal implements AutoCloseable {

        private final Class<? extends HasMetadata> kind;
        private final Predicate<Object> which;
        private final int code;
        private final String cause;

        @SuppressWarnings("unchecked")
        private <T extends HasMetadata> Refusal(Class<T> kind, Predicate<? super T> which, int code, String cause) {
            this.kind = kind;
            this.which = o -> ((Predicate<Object>) which).test(o);
            this.code = code;
            this.cause = cause;
        }

        /** Lifts the refusal: such creations are admitted again. */
        @Override
        public void close() {
            refusals.remove(this);
        }
    }

    <T extends HasMetadata> Refusal add(Class<T> kind, Predicate<? super T> which, int code, String cause) {
        Refusal r = new Refusal(kind, which, code, cause);
        refusals.add(r);
        return r;
    }

    /** The answer refusing a creation, or null to let it through. */
    MockResponse review(String path, byte[] body) {
        if (refusals.isEmpty()) {
            return null;
        }
        Matcher m = COLLECTION.matcher(path);
        if (!m.matches()) {
            return null;
        }
        String group = m.group(1) == null ? "" : m.group(1);
        String plural = m.group(4);
        for (Refusal r : refusals) {
            if (!HasMetadata.getPlural(r.kind).equals(plural) || !HasMetadata.getGroup(r.kind).equals(group)) {
                continue;
            }
            HasMetadata object;
            try {
                object = JSON.unmarshal(new String(body, StandardCharsets.UTF_8), r.kind);
            } catch (RuntimeException unreadable) {
                return null; // the CRUD handler answers what it makes of it
            }
            if (!r.which.test(object)) {
                continue;
            }
            String name = object.getMetadata() == null ? "" : object.getMetadata().getName() != null ? object.getMetadata().getName()
                    : object.getMetadata().getGenerateName() == null ? "" : object.getMetadata().getGenerateName();
            String resource = group.isEmpty() ? plural : plural + "." + group;
            String message = r.code == 403 ? resource + " \"" + name + "\" is forbidden: " + r.cause : r.cause;
            return ApiStatus.response(r.code, message, group.isEmpty() ? null : group, plural, name);
        }
        return null;
    }
}
