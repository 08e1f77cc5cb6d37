package dev.cascade.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs real buildah (vfs storage, chroot isolation, no daemon) with storage of its own under one directory. */
public final class Buildah {

    private final Path root;

    public Buildah(Path root) {
        this.root = root;
    }

    /** Builds {@code contextDir} (with its Dockerfile) as {@code image} and pushes it; returns the pushed digest. */
    public String buildAndPush(Path contextDir, String image) throws IOException {
        run("bud", "--isolation", "chroot", "--tls-verify=false", "-q", "-t", image, contextDir.toString());
        Path digestFile = Files.createTempFile(root, "digest", ".txt");
        run("push", "--tls-verify=false", "--digestfile", digestFile.toString(), image);
        return Files.readString(digestFile).trim();
    }

    /**
     * Builds and pushes a small image with a shell, for builds that RUN something (there is no Docker Hub
     * here): busybox from Debian's busybox-static, installed at /bin.
     */
    public String pushBusybox(String image) throws IOException {
        Path ctx = Files.createDirectories(root.resolve("busybox-context"));
        Files.copy(Path.of("/bin/busybox"), ctx.resolve("busybox"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(ctx.resolve("Dockerfile"), """
                FROM scratch
                COPY busybox /bin/busybox
                RUN ["/bin/busybox", "--install", "-s", "/bin"]
                """);
        return buildAndPush(ctx, image);
    }

    /** Pushes an image already built. */
    public String push(String image) throws IOException {
        Path digestFile = Files.createTempFile(root, "digest", ".txt");
        run("push", "--tls-verify=false", "--digestfile", digestFile.toString(), image);
        return Files.readString(digestFile).trim();
    }

    /** The names of the images in this storage, {@code name:tag} each. */
    public List<String> images() throws IOException {
        Process p = new ProcessBuilder("buildah", "--storage-driver", "vfs", "--root", root.resolve("storage").toString(),
                "--runroot", root.resolve("run").toString(), "images", "--format", "{{.Name}}:{{.Tag}}").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        try {
            if (!p.waitFor(1, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException("buildah images failed: " + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        return out.lines().filter(l -> !l.isBlank()).toList();
    }

    public void run(String... args) throws IOException {
        Files.createDirectories(root);
        List<String> cmd = new ArrayList<>(List.of("buildah", "--storage-driver", "vfs",
                "--root", root.resolve("storage").toString(), "--runroot", root.resolve("run").toString()));
        cmd.addAll(List.of(args));
        Path log = root.resolve("buildah.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        try {
            if (!p.waitFor(5, TimeUnit.MINUTES) || p.exitValue() != 0) {
                throw new IOException("buildah " + String.join(" ", args) + " failed; see " + log);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException("interrupted", e);
        }
    }
}
