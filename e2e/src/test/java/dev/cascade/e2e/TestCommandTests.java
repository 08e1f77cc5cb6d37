package dev.cascade.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The README's test command, {@code ./cascade test}: it finds what the tests need besides Maven, names the apt-get
 * command for what is missing when it cannot install it (not root), and otherwise runs Maven with the arguments it
 * was given. Run as an unprivileged user when the tests run as root, so nothing is installed here.
 */
class TestCommandTests {

    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private Path dir;

    @BeforeEach
    void createDirectory() throws IOException {
        dir = Files.createTempDirectory("cascade-test-command");
    }

    /** Removes the links without following them. */
    @AfterEach
    void removeDirectory() throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }

    @Test
    void withChromiumMissingItNamesTheCommandThatInstallsItAndRunsNoMaven() throws Exception {
        Path bin = pathWithout(dir, Set.of("chromium", "chromedriver"));
        Result r = run(dir, bin, "-q", "-DskipTests", "validate");
        assertThat(r.exit).as(r.output).isEqualTo(1);
        assertThat(r.output)
                .contains("missing chromium chromium-driver; install with: sudo apt-get install -y chromium chromium-driver")
                .doesNotContain("[INFO]").doesNotContain("BUILD");
    }

    @Test
    void withEverythingThereItRunsMavenWithTheArgumentsPassedOn() throws Exception {
        Path bin = pathWithout(dir, Set.of());
        Result r = run(dir, bin, "--version");
        assertThat(r.exit).as(r.output).isZero();
        assertThat(r.output).contains("Apache Maven").doesNotContain("missing");
    }

    /** A directory standing for the PATH: links to every command of /usr/bin and /bin except the left-out ones. */
    static Path pathWithout(Path dir, Set<String> leftOut) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        for (String d : List.of("/usr/local/bin", "/usr/bin", "/bin")) {
            if (!Files.isDirectory(Path.of(d))) {
                continue;
            }
            try (Stream<Path> files = Files.list(Path.of(d))) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    String name = f.getFileName().toString();
                    if (!leftOut.contains(name) && Files.notExists(bin.resolve(name))) {
                        Files.createSymbolicLink(bin.resolve(name), f);
                    }
                }
            }
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x")); // for the unprivileged run
        return bin;
    }

    record Result(int exit, String output) {}

    static Result run(Path dir, Path bin, String... args) throws Exception {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            // as nobody: a root run would install what is missing, which is not what this checks
            command.addAll(List.of("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"));
        }
        command.add(ROOT.resolve("cascade").toString());
        command.add("test");
        command.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().put("PATH", bin.toString());
        pb.environment().put("HOME", dir.toString());
        pb.environment().remove("MAVEN_OPTS");
        Process p = pb.start();
        assertThat(p.waitFor(2, TimeUnit.MINUTES)).as("./cascade test ended").isTrue();
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    }
}
