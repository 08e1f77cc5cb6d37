package dev.cascade.trigger.intake;

import io.quarkus.logging.LoggingFilter;
import java.util.logging.Filter;
import java.util.logging.LogRecord;
import org.jboss.logmanager.ExtLogRecord;

/**
 * Keeps Hibernate's warning about a webhook sent again out of the log. {@link WebhookIntake} stores every delivery
 * as new and lets the unique index {@value WebhookIntake#DEDUP_INDEX} refuse a copy, which it then records as a
 * duplicate (logged at INFO); Hibernate reports each refusal as an SQL error in two WARN lines. Both are dropped:
 * the one naming the index, and the SQL state line of a unique violation (23505), which names none. Another unique
 * violation still shows its message line, which names its constraint; every other SQL error is logged as before.
 */
@LoggingFilter(name = "redelivered-webhook")
public final class RedeliveredWebhookLogFilter implements Filter {

    static final String HIBERNATE_SQL_ERRORS = "org.hibernate.orm.jdbc.error";

    @Override
    public boolean isLoggable(LogRecord record) {
        if (!HIBERNATE_SQL_ERRORS.equals(record.getLoggerName())) {
            return true;
        }
        String text = record instanceof ExtLogRecord ext ? ext.getFormattedMessage() : record.getMessage();
        return text == null || !(text.contains("\"" + WebhookIntake.DEDUP_INDEX + "\"") || text.contains("SQLState: 23505"));
    }
}
