package dev.cascade.messaging;

import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.ClosedConnectionException;
import java.net.SocketException;

/**
 * Tells a failure that only says "the database cannot be reached right now" (a restart, a failover, a network
 * cut) from one the work itself caused. Work that fails for the first reason is waited out, not given up on:
 * once the database is back it succeeds as it would have.
 */
public final class DatabaseUnavailable {

    private DatabaseUnavailable() {
    }

    /** Whether {@code failure}, or any of its causes, is the database being unreachable. */
    public static boolean is(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            // refused, reset or timed out on connecting; a connection lost while in use
            if (t instanceof SocketException || t instanceof io.netty.channel.ConnectTimeoutException
                    || t instanceof ClosedConnectionException) {
                return true;
            }
            if (t instanceof PgException pg && pg.getSqlState() != null
                    // 08: connection exceptions; 57P01-57P03: the server is shutting down or starting up
                    && (pg.getSqlState().startsWith("08") || pg.getSqlState().startsWith("57P0"))) {
                return true;
            }
        }
        return false;
    }
}
