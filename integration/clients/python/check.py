"""Drive psycopg 3, SQLAlchemy 2 and pandas against one server; print stable text.

Usage: python check.py HOST PORT USER DBNAME

integration/clients_python_test.go runs this against the reference PostgreSQL and
against fazproxy and diffs the outputs. Canonical form: one line per fact,
"section<TAB>field=value<TAB>..."; rows sorted where the order is not defined;
no OIDs (types are printed by name). A failing check prints an ERROR line for
its section and the program goes on, so one diff shows every problem.
"""

import sys
import traceback

import pandas
import psycopg
import sqlalchemy

TABLES = ["customers", "orders", "products"]


def out(section, *fields):
    print(section + "\t" + "\t".join(str(f) for f in fields), flush=True)


def step(section, fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - every failure is reported as output
        sqlstate = getattr(getattr(e, "orig", e), "sqlstate", None) or getattr(e, "sqlstate", None)
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        out(section, "ERROR", "sqlstate=%s" % sqlstate, "%s: %s" % (type(e).__name__, first))
        traceback.print_exc(file=sys.stderr)


def psycopg_checks(conninfo):
    """A parameterised query in text and in binary results; values by Python type."""
    query = (
        "SELECT customer_id, name, balance, vip, tags, favorite_skus, avatar, address"
        " FROM customers WHERE customer_id = %s OR tier = %s ORDER BY customer_id LIMIT %s"
    )
    params = ("C0002", "platinum", 5)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for binary in (False, True):
            section = "psycopg binary=%s" % binary
            with conn.cursor(binary=binary) as cur:
                cur.execute(query, params)
                for col in cur.description:
                    out(section + " column", "name=%s" % col.name, "type=%s" % col.type_display)
                rows = cur.fetchall()
                out(section, "rows=%d" % len(rows))
                for row in rows:
                    out(section + " row", *[render(v) for v in row])


def render(v):
    """A value with its Python type, so a decoding difference shows up."""
    if isinstance(v, (bytes, bytearray, memoryview)):
        return "bytes:" + bytes(v).hex()
    if isinstance(v, list):
        return "list[" + ", ".join(render(x) for x in v) + "]"
    return "%s:%r" % (type(v).__name__, v)


def sqlalchemy_checks(url):
    engine = sqlalchemy.create_engine(url)
    try:
        insp = sqlalchemy.inspect(engine)
        step("sqlalchemy table_names", lambda: out("sqlalchemy table_names", *sorted(insp.get_table_names())))
        for t in TABLES:
            step("sqlalchemy columns " + t, lambda t=t: columns(insp, t))
            step("sqlalchemy pk " + t, lambda t=t: out("sqlalchemy pk " + t, describe(insp.get_pk_constraint(t))))
            step("sqlalchemy indexes " + t, lambda t=t: listing("sqlalchemy indexes " + t, insp.get_indexes(t)))
            step("sqlalchemy fks " + t, lambda t=t: listing("sqlalchemy fks " + t, insp.get_foreign_keys(t)))
        step("pandas read_sql", lambda: read_sql(engine))
    finally:
        engine.dispose()


def columns(insp, table):
    section = "sqlalchemy columns " + table
    for c in insp.get_columns(table):  # in ordinal order: defined
        c = dict(c)
        c["type"] = repr(c["type"])
        out(section, describe(c))


def listing(section, items):
    lines = sorted(describe(i) for i in items)
    out(section, "count=%d" % len(lines))
    for line in lines:
        out(section, line)


def describe(d):
    """A dict as key=value pairs in key order (repr values, nested dicts too)."""
    return "\t".join("%s=%r" % (k, canonical(d[k])) for k in sorted(d))


def canonical(v):
    if isinstance(v, dict):
        return {k: canonical(v[k]) for k in sorted(v)}
    return v


def read_sql(engine):
    sql = (
        "SELECT c.customer_id, c.name, c.tier, o.order_id, o.total, o.status, o.gift"
        " FROM customers c JOIN orders o ON o.customer_id = c.customer_id"
        " WHERE c.customer_id IN ('C0001', 'C0002', 'C0003')"
    )
    with engine.connect() as conn:
        frame = pandas.read_sql(sql, conn)
    frame = frame.sort_values(["customer_id", "order_id"]).reset_index(drop=True)
    out("pandas shape", "rows=%d" % frame.shape[0], "columns=%d" % frame.shape[1])
    for name, dtype in frame.dtypes.items():
        out("pandas dtype", "%s=%s" % (name, dtype))
    for line in frame.to_csv(index=False, lineterminator="\n").splitlines():
        out("pandas csv", line)


def main():
    host, port, user, dbname = sys.argv[1:5]
    conninfo = "host=%s port=%s user=%s dbname=%s sslmode=disable" % (host, port, user, dbname)
    step("psycopg", lambda: psycopg_checks(conninfo))
    sqlalchemy_checks("postgresql+psycopg://%s@%s:%s/%s?sslmode=disable" % (user, host, port, dbname))


if __name__ == "__main__":
    main()
