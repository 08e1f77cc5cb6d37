package dev.cascade.trigger;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The real sender payloads kept in {@code ../shared/fixtures/webhooks}, beside the repository. */
public final class Fixtures {

    private static final Path ROOT = locate();

    private Fixtures() {
    }

    /** Raw bytes of a fixture, e.g. {@code github/push.json}. */
    public static byte[] bytes(String name) {
        try {
            return Files.readAllBytes(ROOT.resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path locate() {
        // tests run in the module directory; the shared folder sits beside the repository
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("shared/fixtures/webhooks");
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("shared/fixtures/webhooks not found beside the repository");
    }
}
