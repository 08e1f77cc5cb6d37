package dev.cascade.registry;

import dev.cascade.testsupport.LocalRegistry;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** A real registry for the test application, named to {@link RegistryClient} through {@code cascade.registry.endpoints}. */
public class LocalRegistryResource implements QuarkusTestResourceLifecycleManager {

    static LocalRegistry registry;
    static Path work;

    @Override
    public Map<String, String> start() {
        try {
            work = Files.createTempDirectory("registry-tests");
            registry = LocalRegistry.start(work.resolve("registry"), null, null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("cascade.registry.endpoints", registry.host() + "=http://127.0.0.1:" + registry.port());
    }

    @Override
    public void stop() {
        if (registry != null) {
            registry.close();
        }
    }
}
