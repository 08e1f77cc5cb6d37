package dev.cascade.e2e;

import dev.cascade.testsupport.CascadeSystem;
import dev.cascade.testsupport.TestTokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One running system for every test class of this module (starting it takes most of a minute): started by
 * the first class that needs it, stopped when the test run ends, its services' logs copied to
 * {@code target/e2e-logs}. Test classes use their own configs, images and workloads, so they do not see
 * each other's work.
 */
public final class RunningSystem implements BeforeAllCallback {

    /** The namespace deploy-service watches. */
    public static final String NAMESPACE = "shop";

    private static CascadeSystem system;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        get();
        context.getRoot().getStore(ExtensionContext.Namespace.GLOBAL).getOrComputeIfAbsent(RunningSystem.class, k -> new Stopper());
    }

    public static synchronized CascadeSystem get() throws Exception {
        if (system == null) {
            TestTokens.authenticateRestAssured();
            system = CascadeSystem.start(Path.of("..").toAbsolutePath().normalize(), NAMESPACE, Map.of());
        }
        return system;
    }

    /** Stops the system when JUnit closes the root context's store, at the end of the run. */
    private static final class Stopper implements ExtensionContext.Store.CloseableResource, AutoCloseable {
        @Override
        public void close() throws Exception {
            stop();
        }
    }

    private static synchronized void stop() throws Exception {
        if (system == null) {
            return;
        }
        Path logs = Files.createDirectories(Path.of("target", "e2e-logs"));
        try (var files = Files.list(system.logs())) {
            for (Path f : files.toList()) {
                Files.copy(f, logs.resolve(f.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        system.close();
        system = null;
    }
}
