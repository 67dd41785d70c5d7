// ClientCheck drives pgjdbc the way JDBC tools (DBeaver, Metabase, IDEs) do and
// prints what it sees as stable text, so integration/clients_java_test.go can run
// it against the reference PostgreSQL and against fazproxy and diff the outputs.
//
// Usage: java -cp postgresql.jar:<classes> ClientCheck <jdbc-url> <user>
//
// Canonical form: one line per fact, "section<TAB>field=value<TAB>...". Rows whose
// order JDBC leaves undefined are sorted; OIDs are never printed; statistics
// (CARDINALITY, PAGES) are omitted because they come from the planner's
// estimates, which a DynamoDB-backed catalog does not share with PostgreSQL.
import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Properties;
import java.util.Set;

public final class ClientCheck {
    static final String[] TABLES = {"customers", "orders", "products"};

    // The types the demo tables use (spec/types.md) and their arrays: the
    // reference server knows ~600 built-in types (geometry, ranges, ...) that
    // fazproxy does not claim, so getTypeInfo is compared on these only.
    static final Set<String> TYPES = new HashSet<>(Arrays.asList(
            "bool", "bytea", "int2", "int4", "int8", "float4", "float8", "numeric",
            "text", "varchar", "name", "date", "timestamp", "timestamptz", "json", "jsonb", "uuid",
            "_bool", "_bytea", "_int4", "_int8", "_numeric", "_text", "_varchar", "_jsonb"));

    // Column labels never printed (statistics; see the header).
    static final Set<String> OMIT = new HashSet<>(Arrays.asList("CARDINALITY", "PAGES"));

    public static void main(String[] args) throws Exception {
        Properties p = new Properties();
        p.setProperty("user", args[1]);
        // Server-prepare from the first execution, so binary results are used.
        p.setProperty("prepareThreshold", "1");
        try (Connection c = DriverManager.getConnection(args[0], p)) {
            DatabaseMetaData md = c.getMetaData();
            step("server", () -> out("server", "major=" + md.getDatabaseMajorVersion(),
                    "product=" + md.getDatabaseProductName()));
            step("catalogs", () -> dump("catalogs", md.getCatalogs(), true));
            step("schemas", () -> dump("schemas", md.getSchemas(), true));
            step("tables", () -> dump("tables", md.getTables(null, "public", "%", null), true));
            for (String t : TABLES) {
                step("columns " + t, () -> dump("columns " + t, md.getColumns(null, "public", t, "%"), false));
                step("primarykeys " + t, () -> dump("primarykeys " + t, md.getPrimaryKeys(null, "public", t), true));
                step("indexinfo " + t, () -> dump("indexinfo " + t, md.getIndexInfo(null, "public", t, false, true), true));
                step("importedkeys " + t, () -> dump("importedkeys " + t, md.getImportedKeys(null, "public", t), true));
            }
            step("typeinfo", () -> typeInfo(md.getTypeInfo()));
            for (int q = 0; q < QUERIES.length; q++) {
                int n = q;
                step("prepared" + q, () -> prepared(c, n));
            }
        }
    }

    interface Step {
        void run() throws SQLException;
    }

    // step runs one check; a failure is printed as that check's output (with
    // its SQLSTATE) and the program goes on, so one diff shows every problem.
    static void step(String section, Step s) {
        try {
            s.run();
        } catch (SQLException e) {
            String msg = String.valueOf(e.getMessage()).split("\n")[0];
            out(section, "ERROR sqlstate=" + e.getSQLState() + " " + msg);
        }
    }

    // prepared runs a PreparedStatement over every column type the demo uses,
    // six times (past any threshold), and checks the answers do not change once
    // pgjdbc switches to a named statement and binary results.
    static final String[] QUERIES = {
        "SELECT customer_id, name, balance, credit_limit, vip, tags, favorite_skus, avatar, address, notes, _item"
            + " FROM customers WHERE customer_id = ?",
        "SELECT customer_id, order_id, total, gift, item_skus, labels, attachments, items, signature"
            + " FROM orders WHERE customer_id = ? ORDER BY order_id LIMIT 3",
        "SELECT sku, name, price, weight_kg, in_stock, colors, sizes, thumbnails, dims"
            + " FROM products WHERE sku = ?",
    };
    // Rows chosen so that the arrays, bytea and jsonb columns are not NULL.
    static final Object[] PARAMS = {"C0002", "C0042", new BigDecimal("10085")};

    static void prepared(Connection c, int q) throws SQLException {
        String section = "prepared" + q;
        try (PreparedStatement ps = c.prepareStatement(QUERIES[q])) {
            List<String> first = null;
            for (int run = 1; run <= 6; run++) {
                ps.setObject(1, PARAMS[q]);
                List<String> rows = new ArrayList<>();
                try (ResultSet rs = ps.executeQuery()) {
                    if (run == 1) {
                        metaData(section + " metadata", rs.getMetaData());
                    }
                    while (rs.next()) {
                        rows.add(row(rs));
                    }
                }
                if (first == null) {
                    first = rows;
                } else if (!rows.equals(first)) {
                    out(section, "run=" + run + " differs from run 1: " + rows);
                }
            }
            out(section, "rows=" + first.size());
            for (String r : first) {
                out(section + " row", r);
            }
        }
    }

    static void metaData(String section, ResultSetMetaData m) throws SQLException {
        for (int i = 1; i <= m.getColumnCount(); i++) {
            out(section, "label=" + m.getColumnLabel(i), "name=" + m.getColumnName(i),
                    "type=" + m.getColumnType(i), "typename=" + m.getColumnTypeName(i),
                    "class=" + m.getColumnClassName(i), "precision=" + m.getPrecision(i),
                    "scale=" + m.getScale(i), "nullable=" + m.isNullable(i),
                    "displaysize=" + m.getColumnDisplaySize(i), "signed=" + m.isSigned(i),
                    "table=" + m.getTableName(i), "schema=" + m.getSchemaName(i),
                    "autoincrement=" + m.isAutoIncrement(i), "casesensitive=" + m.isCaseSensitive(i));
        }
    }

    // row renders every value by its Java class, so a text/binary mix-up or a
    // wrong type shows up as a different line.
    static String row(ResultSet rs) throws SQLException {
        ResultSetMetaData m = rs.getMetaData();
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= m.getColumnCount(); i++) {
            if (i > 1) {
                b.append(" | ");
            }
            b.append(value(rs.getObject(i)));
        }
        return b.toString();
    }

    static String value(Object v) throws SQLException {
        if (v == null) {
            return "NULL";
        }
        if (v instanceof byte[]) {
            return "bytes:" + hex((byte[]) v);
        }
        if (v instanceof BigDecimal) {
            return "BigDecimal:" + ((BigDecimal) v).toPlainString();
        }
        if (v instanceof Array) {
            Object[] els = (Object[]) ((Array) v).getArray();
            List<String> parts = new ArrayList<>();
            for (Object e : els) {
                parts.add(value(e));
            }
            return "Array(" + ((Array) v).getBaseTypeName() + ")" + parts;
        }
        return v.getClass().getSimpleName() + ":" + v;
    }

    static String hex(byte[] b) {
        StringBuilder s = new StringBuilder();
        for (byte x : b) {
            s.append(String.format("%02x", x));
        }
        return s.toString();
    }

    static void typeInfo(ResultSet rs) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (rs) {
            ResultSetMetaData m = rs.getMetaData();
            while (rs.next()) {
                if (TYPES.contains(rs.getString("TYPE_NAME"))) {
                    lines.add(fields(rs, m));
                }
            }
        }
        Collections.sort(lines);
        for (String l : lines) {
            out("typeinfo", l);
        }
    }

    // dump prints a metadata result set: its column labels, then each row
    // (sorted when JDBC does not define the order for our purposes).
    static void dump(String section, ResultSet rs, boolean sort) throws SQLException {
        List<String> lines = new ArrayList<>();
        try (rs) {
            ResultSetMetaData m = rs.getMetaData();
            while (rs.next()) {
                lines.add(fields(rs, m));
            }
        }
        if (sort) {
            Collections.sort(lines);
        }
        out(section, "rows=" + lines.size());
        for (String l : lines) {
            out(section, l);
        }
    }

    static String fields(ResultSet rs, ResultSetMetaData m) throws SQLException {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= m.getColumnCount(); i++) {
            String label = m.getColumnLabel(i).toUpperCase();
            if (OMIT.contains(label)) {
                continue;
            }
            if (b.length() > 0) {
                b.append('\t');
            }
            b.append(label).append('=').append(rs.getString(i));
        }
        return b.toString();
    }

    static void out(String section, String... fields) {
        System.out.println(section + "\t" + String.join("\t", fields));
    }
}
