package dev.cascade.testsupport;

import dev.cascade.infra.RegistryConfig;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

/**
 * A real CNCF Distribution registry (Debian's {@code docker-registry}) on a free loopback port, optionally
 * notifying a webhook URL with a bearer token, as a registry in front of Cascade would be configured.
 */
public final class LocalRegistry implements AutoCloseable {

    private static final String LOOPBACK = "127.0.0.1";

    private final Process process;
    private final String address;
    private final int port;

    private LocalRegistry(Process process, String address, int port) {
        this.process = process;
        this.address = address;
        this.port = port;
    }

    /** Starts a registry storing under {@code dir}; {@code notifyUrl} may be null for no notifications. */
    public static LocalRegistry start(Path dir, String notifyUrl, String token) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        return start(dir, notifyUrl, token, port);
    }

    /** Starts a registry on a given port, for configuration that must name it before the registry exists. */
    public static LocalRegistry start(Path dir, String notifyUrl, String token, int port) throws IOException {
        return start(dir, LOOPBACK, notifyUrl, token, port);
    }

    /**
     * Starts a registry without notifications listening on another loopback address ({@code 127.0.0.2}, say), for a
     * test that must reach it by a name other than {@code localhost} and {@code 127.0.0.1}.
     */
    public static LocalRegistry startOn(Path dir, String loopbackAddress) throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        return start(dir, loopbackAddress, null, null, port);
    }

    private static LocalRegistry start(Path dir, String address, String notifyUrl, String token, int port) throws IOException {
        Files.createDirectories(dir);
        Path config = dir.resolve("config.yml");
        Files.writeString(config, new RegistryConfig(dir.resolve("data"), address, port, false,
                notifyUrl == null ? null : new RegistryConfig.Notifications(notifyUrl, token, 3, 1, false)).yaml());
        Process process = new ProcessBuilder("docker-registry", "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("registry.log").toFile())
                .start();
        LocalRegistry registry = new LocalRegistry(process, address, port);
        registry.awaitReady(dir.resolve("registry.log"));
        return registry;
    }

    private void awaitReady(Path log) throws IOException {
        HttpClient http = HttpClient.newHttpClient();
        HttpRequest ping = HttpRequest.newBuilder(URI.create("http://" + address + ":" + port + "/v2/")).timeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plusSeconds(30);
        while (true) {
            if (!process.isAlive()) {
                throw new IOException("docker-registry exited with " + process.exitValue() + "; see " + log);
            }
            try {
                if (http.send(ping, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IOException("docker-registry not answering after 30 s; see " + log);
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted", e);
            }
        }
    }

    /**
     * The registry's name in image references: {@code localhost:PORT}, or {@code ADDRESS:PORT} for one started
     * {@link #startOn on another loopback address}.
     */
    public String host() {
        return (LOOPBACK.equals(address) ? "localhost" : address) + ":" + port;
    }

    public int port() {
        return port;
    }

    /**
     * Pushes a small image of its own (one empty layer, a config that no other push has) to {@code repository:tag} with the
     * distribution push API, as a build tool pushes, and answers its digest: a real push from outside Cascade that takes
     * milliseconds rather than a build.
     */
    public String push(String repository, String tag) throws IOException {
        byte[] layer = new byte[1024]; // an empty tar archive: two zero blocks
        byte[] config = ("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Labels\":{\"push\":\"" + java.util.UUID.randomUUID()
                + "\"}},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"" + sha256(layer) + "\"]}}")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8);
        uploadBlob(repository, layer);
        uploadBlob(repository, config);
        var manifest = JSON.createObjectNode().put("schemaVersion", 2).put("mediaType", OCI_MANIFEST);
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json").put("digest", sha256(config))
                .put("size", config.length);
        manifest.putArray("layers").addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar").put("digest", sha256(layer))
                .put("size", layer.length);
        HttpResponse<String> r = send(HttpRequest.newBuilder(base("/v2/" + repository + "/manifests/" + tag))
                .header("Content-Type", OCI_MANIFEST).PUT(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(manifest))));
        if (r.statusCode() != 201) {
            throw new IOException("manifest push to " + repository + ":" + tag + " answered " + r.statusCode() + ": " + r.body());
        }
        return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    /** {@code POST /v2/<repository>/blobs/uploads/}, then {@code PUT <location>?digest=…} with the bytes. */
    private void uploadBlob(String repository, byte[] blob) throws IOException {
        HttpResponse<String> started = send(HttpRequest.newBuilder(base("/v2/" + repository + "/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.noBody()));
        if (started.statusCode() != 202) {
            throw new IOException("blob upload to " + repository + " answered " + started.statusCode() + ": " + started.body());
        }
        URI location = base("/").resolve(started.headers().firstValue("Location").orElseThrow());
        String digest = java.net.URLEncoder.encode(sha256(blob), java.nio.charset.StandardCharsets.UTF_8);
        HttpResponse<String> done = send(HttpRequest.newBuilder(URI.create(location + (location.getRawQuery() == null ? "?" : "&")
                + "digest=" + digest)).header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(blob)));
        if (done.statusCode() != 201) {
            throw new IOException("blob upload to " + repository + " answered " + done.statusCode() + ": " + done.body());
        }
    }

    /** The registry by its name in image references, so that its notifications name the pushed image as builds' pushes do. */
    private URI base(String path) {
        return URI.create("http://" + host() + path);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws IOException {
        try {
            return HttpClient.newHttpClient().send(request.timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static String sha256(byte[] bytes) {
        return "sha256:" + dev.cascade.common.hash.Sha256.hex(bytes);
    }

    private static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    private static final String ACCEPT = "application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json";
    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    /** The digest {@code repository:tag} points at, as the registry answers it. */
    public String digest(String repository, String tag) throws IOException {
        HttpResponse<byte[]> r = get("/v2/" + repository + "/manifests/" + tag, ACCEPT);
        return r.headers().firstValue("Docker-Content-Digest").orElseThrow();
    }

    /** The labels in the image config of {@code repository:tag}. */
    public java.util.Map<String, String> labels(String repository, String tag) throws IOException {
        var manifest = JSON.readTree(get("/v2/" + repository + "/manifests/" + tag, ACCEPT).body());
        var config = JSON.readTree(get("/v2/" + repository + "/blobs/" + manifest.at("/config/digest").asText(), "*/*").body());
        java.util.Map<String, String> labels = new java.util.TreeMap<>();
        config.at("/config/Labels").fields().forEachRemaining(e -> labels.put(e.getKey(), e.getValue().asText()));
        return labels;
    }

    /** The files in the layers of {@code repository:tag}, path to content (small files only). */
    public java.util.Map<String, String> files(String repository, String tag) throws IOException {
        var manifest = JSON.readTree(get("/v2/" + repository + "/manifests/" + tag, ACCEPT).body());
        java.util.Map<String, String> files = new java.util.TreeMap<>();
        for (var layer : manifest.path("layers")) {
            byte[] blob = get("/v2/" + repository + "/blobs/" + layer.path("digest").asText(), "*/*").body();
            java.io.InputStream in = layer.path("mediaType").asText().endsWith("gzip")
                    ? new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(blob)) : new java.io.ByteArrayInputStream(blob);
            readTar(in.readAllBytes(), files);
        }
        return files;
    }

    /** Regular files of a tar archive (ustar), path without a leading {@code ./} or {@code /}. */
    private static void readTar(byte[] tar, java.util.Map<String, String> files) {
        int pos = 0;
        while (pos + 512 <= tar.length) {
            String name = cString(tar, pos, 100);
            if (name.isEmpty()) {
                break;
            }
            String prefix = cString(tar, pos + 345, 155);
            long size = Long.parseLong(cString(tar, pos + 124, 12).trim().isEmpty() ? "0" : cString(tar, pos + 124, 12).trim(), 8);
            char type = (char) tar[pos + 156];
            String path = (prefix.isEmpty() ? name : prefix + "/" + name).replaceFirst("^\\./", "").replaceFirst("^/", "");
            if ((type == '0' || type == 0) && size < 1_000_000) {
                files.put(path, new String(tar, pos + 512, (int) size, java.nio.charset.StandardCharsets.UTF_8));
            } else if (type == '0' || type == 0) {
                files.put(path, "(" + size + " bytes)");
            }
            pos += 512 + (int) ((size + 511) / 512) * 512;
        }
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, java.nio.charset.StandardCharsets.US_ASCII);
    }

    private HttpResponse<byte[]> get(String path, String accept) throws IOException {
        try {
            HttpResponse<byte[]> r = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).build()
                    .send(HttpRequest.newBuilder(URI.create("http://" + address + ":" + port + path)).header("Accept", accept).build(),
                            HttpResponse.BodyHandlers.ofByteArray());
            if (r.statusCode() != 200) {
                throw new IOException("GET " + path + " answered " + r.statusCode());
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
