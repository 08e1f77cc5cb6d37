package dev.cascade.build.queue;

import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A build's log held to {@code CASCADE_BUILD_MAX_LOG_SIZE}: the first bytes up to the limit are written, then one line
 * saying the rest was cut, and nothing more, so a build that prints without end neither fills the log directory nor
 * the build's row, and is followed and stored like any other. The build itself goes on.
 */
final class LogLimit extends FilterOutputStream {

    private final long limit;
    private long written;
    private boolean cut;

    LogLimit(OutputStream out, long limit) {
        super(out);
        this.limit = limit;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (cut) {
            return;
        }
        long room = limit - written;
        if (len <= room) {
            out.write(b, off, len);
            written += len;
            return;
        }
        if (room > 0) {
            out.write(b, off, (int) room);
            written += room;
        }
        cut = true;
        out.write(("\n[cascade] the log is cut here: it reached " + limit + " bytes (CASCADE_BUILD_MAX_LOG_SIZE); "
                + "the build goes on, its further output is not kept\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /** Whether output was cut. */
    boolean cut() {
        return cut;
    }
}
