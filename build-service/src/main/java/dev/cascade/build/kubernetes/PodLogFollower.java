package dev.cascade.build.kubernetes;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Copies one container's log into a build's log while the container runs, the way {@code kubectl logs -f} shows it,
 * and survives the stream ending early: the API server (or a proxy in front of it) may close a follow stream at any
 * time, so it follows again from the last line's time ({@code sinceTime}, with {@code timestamps=true}) and skips
 * the lines it already copied. It ends once the container has terminated and its log has been read to the end.
 */
final class PodLogFollower {

    private final KubernetesClient client;
    private final String namespace;
    private final String pod;
    private final String container;
    private final OutputStream out;

    /** Closes streams that outlive their container (shared: a check every few seconds per followed stream). */
    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "build-log-watchdog");
        t.setDaemon(true);
        return t;
    });

    private Instant last;
    /** How many lines stamped exactly {@link #last} were copied: a stream that starts again repeats them. */
    private int atLast;

    PodLogFollower(KubernetesClient client, String namespace, String pod, String container, OutputStream out) {
        this.client = client;
        this.namespace = namespace;
        this.pod = pod;
        this.container = container;
        this.out = out;
    }

    /**
     * Follows the log until {@code ended} says the container is over (or gone), then reads it to its end once more.
     *
     * @param ended whether the container has terminated, or its pod is gone
     * @param pause waits before following again after a stream ended early (until the pod changes, at most a while)
     */
    void follow(BooleanSupplier ended, Pause pause) throws InterruptedException {
        while (true) {
            boolean over = ended.getAsBoolean(); // read before the stream: what it then returns is the whole log
            int copied = copyOnce(ended);
            if (over) {
                if (copied < 0) {
                    pause.await();
                    copyOnce(ended); // once more for the log's end
                }
                return;
            }
            if (copied <= 0) {
                pause.await();
            }
        }
    }

    /** How the follower waits between two streams. */
    @FunctionalInterface
    interface Pause {
        void await() throws InterruptedException;
    }

    /**
     * One follow stream, copied to its end; the number of new lines, or -1 when the log could not be read. A stream that
     * stays open (half-open, or a container the kubelet lost) is closed once {@code ended} says the container is over.
     */
    private int copyOnce(BooleanSupplier ended) {
        var resource = client.pods().inNamespace(namespace).withName(pod).inContainer(container).usingTimestamps();
        int copied = 0;
        ScheduledFuture<?> watchdog = null;
        try (LogWatch watch = last == null ? resource.watchLog() : resource.sinceTime(last.truncatedTo(ChronoUnit.SECONDS).toString()).watchLog();
             BufferedReader lines = new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
            watchdog = WATCHDOG.scheduleWithFixedDelay(() -> {
                if (ended.getAsBoolean()) {
                    watch.close();
                }
            }, 5, 5, TimeUnit.SECONDS);
            Instant seenAt = last;
            int skip = atLast;
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                int space = line.indexOf(' ');
                Instant at = space > 0 ? parse(line.substring(0, space)) : null;
                String text = at == null ? line : line.substring(space + 1);
                if (at != null && seenAt != null) {
                    if (at.isBefore(seenAt)) {
                        continue;
                    }
                    if (at.equals(seenAt) && skip > 0) {
                        skip--;
                        continue;
                    }
                }
                if (at != null) {
                    if (at.equals(last)) {
                        atLast++;
                    } else {
                        last = at;
                        atLast = 1;
                    }
                    seenAt = null; // past what was copied before: copy everything from here on
                }
                write(text + "\n");
                copied++;
            }
            return copied;
        } catch (IOException | RuntimeException e) {
            // not started yet, gone, the stream cut, or the API server away: the caller looks at the pod and tries again
            return copied > 0 ? copied : -1;
        } finally {
            if (watchdog != null) {
                watchdog.cancel(false);
            }
        }
    }

    private void write(String text) throws IOException {
        synchronized (out) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    private static Instant parse(String stamp) {
        try {
            return Instant.parse(stamp);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
