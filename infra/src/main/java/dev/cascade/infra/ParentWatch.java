package dev.cascade.infra;

import java.io.IOException;

/** Ends this JVM (running its shutdown hooks) once the parent process closes our standard input. */
final class ParentWatch {

    private ParentWatch() {
    }

    static void exitWhenStdinCloses(String what) {
        Thread t = new Thread(() -> {
            try {
                while (System.in.read() != -1) {
                    // ignore anything written; only the end of the stream matters
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
