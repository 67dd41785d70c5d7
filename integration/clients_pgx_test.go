package integration

import (
	"context"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
)

// pgxTypedRow is a demo-table row decoded by pgx into typed Go values: in the
// default exec mode pgx asks for binary results for numeric, bool, bytea and
// the arrays, and text for text and jsonb.
type pgxTypedRow struct {
	CustomerID   string           `db:"customer_id"`
	Name         string           `db:"name"`
	Balance      pgtype.Numeric   `db:"balance"`
	Vip          *bool            `db:"vip"`
	Tags         []string         `db:"tags"`
	FavoriteSkus []pgtype.Numeric `db:"favorite_skus"`
	Avatar       []byte           `db:"avatar"`
	Address      map[string]any   `db:"address"`
	Notes        *string          `db:"notes"`
	Item         map[string]any   `db:"_item"`
}

// pgxOrderRow covers the order columns the customers row does not: bytea[]
// and a jsonb array.
type pgxOrderRow struct {
	OrderID     string           `db:"order_id"`
	Total       pgtype.Numeric   `db:"total"`
	Gift        pgtype.Bool      `db:"gift"`
	ItemSkus    []pgtype.Numeric `db:"item_skus"`
	Labels      []string         `db:"labels"`
	Attachments [][]byte         `db:"attachments"`
	Items       []any            `db:"items"`
	Signature   []byte           `db:"signature"`
}

// pgxScalarRow holds one value of each scalar type of spec/types.md's list
// that the demo tables do not store, computed by the server.
type pgxScalarRow struct {
	I2   int16              `db:"i2"`
	I4   int32              `db:"i4"`
	I8   int64              `db:"i8"`
	F4   float32            `db:"f4"`
	F8   float64            `db:"f8"`
	Vc   string             `db:"vc"`
	D    pgtype.Date        `db:"d"`
	Ts   pgtype.Timestamp   `db:"ts"`
	Tstz pgtype.Timestamptz `db:"tstz"`
	U    pgtype.UUID        `db:"u"`
	J    map[string]any     `db:"j"`
	Num  pgtype.Numeric     `db:"num"`
	Null *string            `db:"nul"`
}

// pgxCase is one query collected with pgx.CollectRows on both servers.
type pgxCase struct {
	name    string
	sql     string
	args    []any
	collect func(pgx.Rows) (any, error)
}

func pgxCases() []pgxCase {
	return []pgxCase{
		{
			name: "customers-by-name",
			sql: `SELECT customer_id, name, balance, vip, tags, favorite_skus, avatar, address, notes, _item
				FROM customers WHERE customer_id = ANY($1) ORDER BY customer_id`,
			args:    []any{[]string{"C0002", "C0009", "C0014", "C0015", "C0017"}},
			collect: collectAs(pgx.RowToStructByName[pgxTypedRow]),
		},
		{
			name: "orders-by-name",
			sql: `SELECT order_id, total, gift, item_skus, labels, attachments, items, signature
				FROM orders WHERE customer_id = $1 AND total > $2 ORDER BY order_id`,
			args:    []any{"C0042", 100},
			collect: collectAs(pgx.RowToStructByName[pgxOrderRow]),
		},
		{
			name: "products-as-map",
			sql: `SELECT sku, name, price, weight_kg, in_stock, colors, sizes, thumbnails, dims
				FROM products WHERE sku = $1`,
			args:    []any{pgtype.Numeric{Int: big.NewInt(10085), Valid: true}},
			collect: collectAs(pgx.RowToMap),
		},
		{
			name: "scalars-by-name",
			sql: `SELECT 1::int2 AS i2, 2147483647::int4 AS i4, (-9223372036854775808)::int8 AS i8,
				1.5::float4 AS f4, -2.25e300::float8 AS f8, 'ünï'::varchar AS vc,
				DATE '2024-02-29' AS d, TIMESTAMP '2024-02-29 12:34:56.789' AS ts,
				TIMESTAMPTZ '2024-02-29 12:34:56.789+02' AS tstz,
				'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS u, '{"a": [1, "x"]}'::json AS j,
				12345678901234567890.123456789::numeric AS num, NULL::text AS nul`,
			collect: collectAs(pgx.RowToStructByName[pgxScalarRow]),
		},
		{
			name:    "one-column",
			sql:     `SELECT customer_id FROM customers WHERE vip AND tier = $1 ORDER BY customer_id`,
			args:    []any{"gold"},
			collect: collectAs(pgx.RowTo[string]),
		},
	}
}

// collectAs adapts a pgx.RowToFunc to a pgxCase's collect.
func collectAs[T any](fn pgx.RowToFunc[T]) func(pgx.Rows) (any, error) {
	return func(rows pgx.Rows) (any, error) {
		out, err := pgx.CollectRows(rows, fn)
		return out, err
	}
}

// TestClientsPgx collects typed rows with pgx.CollectRows from both servers,
// in pgx's default mode (cached prepared statements, binary where pgx can) and
// in the simple protocol, and requires the decoded values to be equal.
func TestClientsPgx(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	ref := connect(ctx, t, env.pgDSN)
	proxy := connect(ctx, t, proxyDSN())
	modes := []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeExec, pgx.QueryExecModeSimpleProtocol}
	for _, c := range pgxCases() {
		for _, mode := range modes {
			t.Run(c.name+"/"+mode.String(), func(t *testing.T) {
				want, err := pgxCollect(ctx, ref, c, mode)
				if err != nil {
					t.Fatalf("reference PostgreSQL: %v", err)
				}
				if reflect.ValueOf(want).Len() == 0 {
					t.Fatalf("the reference returns no rows, so this case compares nothing: fix the query\n%s", c.sql)
				}
				got, err := pgxCollect(ctx, proxy, c, mode)
				if err != nil {
					t.Fatalf("fazproxy: %v\n%s", err, logTail())
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("decoded rows differ\n got: %s\nwant: %s", pgxShow(got), pgxShow(want))
				}
			})
		}
	}
}

func pgxCollect(ctx context.Context, conn *pgx.Conn, c pgxCase, mode pgx.QueryExecMode) (any, error) {
	rows, err := conn.Query(ctx, c.sql, append([]any{mode}, c.args...)...)
	if err != nil {
		return nil, err
	}
	return c.collect(rows)
}

// pgxShow prints collected rows one per line with their Go types.
func pgxShow(v any) string {
	rv := reflect.ValueOf(v)
	var b strings.Builder
	for i := 0; i < rv.Len() && i < 6; i++ {
		fmt.Fprintf(&b, "\n      %+v", rv.Index(i).Interface())
	}
	if rv.Len() > 6 {
		fmt.Fprintf(&b, "\n      ... %d rows", rv.Len())
	}
	return b.String()
}
