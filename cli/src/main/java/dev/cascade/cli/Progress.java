package dev.cascade.cli;

import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Progress while following something. On a terminal: one status line at the bottom of stderr, redrawn
 * every second with the elapsed time, kept below whatever is printed on stdout. Otherwise: a plain
 * line on stderr each time the status changes.
 */
final class Progress implements AutoCloseable {

    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private final boolean terminal;
    private final long started = System.nanoTime();
    private final ScheduledExecutorService ticker;
    private String status = "";
    private boolean shown;
    private boolean atLineStart = true;

    Progress() {
        this(terminal());
    }

    Progress(boolean terminal) {
        this.terminal = terminal;
        if (terminal) {
            ticker = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "progress");
                t.setDaemon(true);
                return t;
            });
            ticker.scheduleAtFixedRate(this::redraw, 1, 1, TimeUnit.SECONDS);
            Runtime.getRuntime().addShutdownHook(new Thread(this::clear)); // Ctrl-C leaves no half-drawn line
        } else {
            ticker = null;
        }
    }

    /** Whether stderr is a terminal: the launcher says so ({@code -Dcascade.tty}); without it, whether there is a console. */
    static boolean terminal() {
        String told = System.getProperty("cascade.tty");
        return told != null ? Boolean.parseBoolean(told) : System.console() != null;
    }

    /** The status now; shown at once. */
    synchronized void status(String now) {
        if (now.equals(status)) {
            return;
        }
        status = now;
        if (terminal) {
            redraw();
        } else {
            err.println(now);
            err.flush();
        }
    }

    /** Prints a line on stdout, above the status line. */
    synchronized void println(String line) {
        print(line + "\n");
    }

    /** Prints text on stdout (a log as it comes), keeping the status line below it. */
    synchronized void print(String text) {
        if (text.isEmpty()) {
            return;
        }
        clear();
        out.print(text);
        out.flush();
        atLineStart = text.endsWith("\n");
        redraw();
    }

    /** How long this has been following, e.g. {@code 1m05s}. */
    String elapsed() {
        long ms = Duration.ofNanos(System.nanoTime() - started).toMillis();
        return ms < 1000 ? "0s" : Render.duration(ms);
    }

    @Override
    public synchronized void close() {
        if (ticker != null) {
            ticker.shutdownNow();
        }
        clear();
        status = "";
    }

    private synchronized void redraw() {
        if (!terminal || status.isEmpty() || !atLineStart) {
            return;
        }
        String line = status + " · " + elapsed();
        int columns = columns();
        if (line.length() >= columns) {
            line = line.substring(0, columns - 2) + "…";
        }
        err.print("\r\033[K" + line);
        err.flush();
        shown = true;
    }

    private synchronized void clear() {
        if (shown) {
            err.print("\r\033[K");
            err.flush();
            shown = false;
        }
    }

    private static int columns() {
        try {
            return Math.max(20, Integer.parseInt(System.getenv().getOrDefault("COLUMNS", "100")));
        } catch (NumberFormatException e) {
            return 100;
        }
    }
}
