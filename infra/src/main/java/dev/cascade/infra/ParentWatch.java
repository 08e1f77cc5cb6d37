package dev.cascade.infra;

import java.io.IOException;

/**
 * Ends this JVM (running its shutdown hooks) once the parent process closes our standard input, and
 * passes each line the parent writes before that to a command handler.
 */
final class ParentWatch {

    private ParentWatch() {
    }

    static void exitWhenStdinCloses(String what) {
        exitWhenStdinCloses(what, line -> { });
    }

    static void exitWhenStdinCloses(String what, java.util.function.Consumer<String> commands) {
        Thread t = new Thread(() -> {
            try {
                java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in,
                        java.nio.charset.StandardCharsets.UTF_8));
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    commands.accept(line.trim());
                }
            } catch (IOException ignored) {
                // a broken pipe means the same as end of stream
            }
            System.out.println("[cascade-infra] parent gone, stopping " + what);
            System.exit(0);
        }, "parent-watch");
        t.setDaemon(true);
        t.start();
    }
}
