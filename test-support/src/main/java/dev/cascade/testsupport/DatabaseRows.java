package dev.cascade.testsupport;

import dev.cascade.infra.InfraProcess;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Reads a service's database on the embedded PostgreSQL over JDBC, for tests that check what was stored. The module
 * under test brings the PostgreSQL driver.
 */
public final class DatabaseRows {

    private DatabaseRows() {
    }

    /** The single number a query such as {@code select count(*) ...} returns. */
    public static long count(InfraProcess infra, String database, String sql, Object... args) throws SQLException {
        return ((Number) rows(infra, database, sql, args).get(0).get(0)).longValue();
    }

    /** Rows as lists of values; SQL null reads as "", a UUID as its text. */
    public static List<List<Object>> rows(InfraProcess infra, String database, String sql, Object... args) throws SQLException {
        try (Connection c = DriverManager.getConnection(infra.jdbcUrl(database), infra.postgresUser(), infra.postgresUser());
             PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            List<List<Object>> rows = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    List<Object> row = new ArrayList<>();
                    for (int col = 1; col <= rs.getMetaData().getColumnCount(); col++) {
                        Object value = rs.getObject(col);
                        row.add(value == null ? "" : value instanceof UUID u ? u.toString() : value);
                    }
                    rows.add(row);
                }
            }
            return rows;
        }
    }
}
