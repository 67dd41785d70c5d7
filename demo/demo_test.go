package demo

import (
	"encoding/json"
	"math/big"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

func TestDeterministic(t *testing.T) {
	a, b := Tables(), Tables()
	if !reflect.DeepEqual(a, b) {
		t.Fatal("Tables() differs between two calls")
	}
	if s1, s2 := PostgresSQL(), PostgresSQL(); s1 != s2 {
		t.Fatal("PostgresSQL() differs between two calls")
	}
	// Pin a few values so an accidental change of the generator shows.
	c := a[0].Items[0]
	if got := c["customer_id"].(*types.AttributeValueMemberS).Value; got != "C0001" {
		t.Errorf("first customer id = %q", got)
	}
}

func TestSizes(t *testing.T) {
	want := map[string]int{"customers": NumCustomers, "orders": NumOrders, "products": NumProducts}
	tables := Tables()
	if len(tables) != len(want) {
		t.Fatalf("%d tables, want %d", len(tables), len(want))
	}
	for _, tb := range tables {
		if len(tb.Items) != want[tb.Name] {
			t.Errorf("%s: %d items, want %d", tb.Name, len(tb.Items), want[tb.Name])
		}
	}
}

func TestKeysUniqueAndPresent(t *testing.T) {
	for _, tb := range Tables() {
		seen := map[string]bool{}
		for i, it := range tb.Items {
			k := keyString(t, it, tb.PartitionKey)
			if tb.SortKey != nil {
				k += "\x00" + keyString(t, it, *tb.SortKey)
			}
			if seen[k] {
				t.Errorf("%s item %d: duplicate key %q", tb.Name, i, k)
			}
			seen[k] = true
			for _, ix := range tb.Indexes {
				keyString(t, it, ix.PartitionKey)
				if ix.SortKey != nil {
					keyString(t, it, *ix.SortKey)
				}
			}
		}
	}
}

func keyString(t *testing.T, it Item, k KeyAttr) string {
	t.Helper()
	av, ok := it[k.Name]
	if !ok {
		t.Fatalf("key attribute %s missing", k.Name)
	}
	if TypeOf(av) != string(k.Type) {
		t.Fatalf("key attribute %s has type %s, want %s", k.Name, TypeOf(av), k.Type)
	}
	s := AttrJSON(av)
	if s == `""` {
		t.Fatalf("key attribute %s is empty", k.Name)
	}
	return s
}

// TestEveryType checks that every DynamoDB type is present at the top level
// of some table, and also inside maps and lists, plus the edge cases the
// differential tests rely on.
func TestEveryType(t *testing.T) {
	top := map[string]int{}
	nested := map[string]int{}
	var walk func(av types.AttributeValue)
	walk = func(av types.AttributeValue) {
		switch v := av.(type) {
		case *types.AttributeValueMemberM:
			for _, x := range v.Value {
				nested[TypeOf(x)]++
				walk(x)
			}
		case *types.AttributeValueMemberL:
			for _, x := range v.Value {
				nested[TypeOf(x)]++
				walk(x)
			}
		}
	}
	var emptyStrings, negatives, digits38, trimmed, missing int
	for _, tb := range Tables() {
		cols := tb.Columns()
		for _, it := range tb.Items {
			if len(it) < len(cols)-1 {
				missing++
			}
			for _, av := range it {
				top[TypeOf(av)]++
				walk(av)
				switch v := av.(type) {
				case *types.AttributeValueMemberS:
					if v.Value == "" {
						emptyStrings++
					}
				case *types.AttributeValueMemberN:
					if strings.HasPrefix(v.Value, "-") {
						negatives++
					}
					if sig := strings.TrimLeft(strings.NewReplacer("-", "", ".", "").Replace(v.Value), "0"); len(sig) == 38 {
						digits38++
					}
					if strings.Contains(v.Value, ".") && len(v.Value)-strings.Index(v.Value, ".") == 2 {
						trimmed++ // e.g. 70.3 (from 70.30)
					}
				}
			}
		}
	}
	for _, ty := range []string{"S", "N", "B", "BOOL", "NULL", "M", "L", "SS", "NS", "BS"} {
		if top[ty] == 0 {
			t.Errorf("no top-level attribute of type %s", ty)
		}
	}
	for _, ty := range []string{"S", "N", "BOOL", "NULL", "M", "L"} {
		if nested[ty] == 0 {
			t.Errorf("no nested value of type %s inside M/L", ty)
		}
	}
	if emptyStrings == 0 || negatives == 0 || digits38 < 3 || trimmed == 0 || missing == 0 {
		t.Errorf("edge cases: empty strings %d, negative numbers %d, 38-digit numbers %d, one-decimal numbers %d, items missing attributes %d",
			emptyStrings, negatives, digits38, trimmed, missing)
	}
	t.Logf("top-level types: %v; nested: %v; 38-digit numbers: %d", top, nested, digits38)
}

// TestNumbersCanonical checks that every number is already in the form
// DynamoDB stores (no leading zeros, no trailing fractional zeros, at most 38
// significant digits), so items read back equal the items written.
func TestNumbersCanonical(t *testing.T) {
	re := regexp.MustCompile(`^-?(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$`)
	check := func(s string) {
		if !re.MatchString(s) || s == "-0" {
			t.Errorf("number %q is not canonical", s)
		}
		if sig := strings.TrimLeft(strings.NewReplacer("-", "", ".", "").Replace(s), "0"); len(sig) > 38 {
			t.Errorf("number %q has more than 38 significant digits", s)
		}
	}
	var walk func(av types.AttributeValue)
	walk = func(av types.AttributeValue) {
		switch v := av.(type) {
		case *types.AttributeValueMemberN:
			check(v.Value)
		case *types.AttributeValueMemberNS:
			for _, s := range v.Value {
				check(s)
			}
		case *types.AttributeValueMemberM:
			for _, x := range v.Value {
				walk(x)
			}
		case *types.AttributeValueMemberL:
			for _, x := range v.Value {
				walk(x)
			}
		}
	}
	for _, tb := range Tables() {
		for _, it := range tb.Items {
			for _, av := range it {
				walk(av)
			}
		}
	}
}

func TestSetsSortedAndNonEmpty(t *testing.T) {
	for _, tb := range Tables() {
		for _, it := range tb.Items {
			for name, av := range it {
				switch v := av.(type) {
				case *types.AttributeValueMemberSS:
					if len(v.Value) == 0 || !sortedUnique(v.Value, strings.Compare) {
						t.Errorf("%s.%s: SS %q empty or unsorted", tb.Name, name, v.Value)
					}
				case *types.AttributeValueMemberNS:
					if len(v.Value) == 0 || !sortedUnique(v.Value, cmpNum) {
						t.Errorf("%s.%s: NS %q empty or unsorted", tb.Name, name, v.Value)
					}
				case *types.AttributeValueMemberBS:
					ss := make([]string, len(v.Value))
					for i, b := range v.Value {
						ss[i] = string(b)
					}
					if len(ss) == 0 || !sortedUnique(ss, strings.Compare) {
						t.Errorf("%s.%s: BS empty or unsorted", tb.Name, name)
					}
				}
			}
		}
	}
}

func cmpNum(a, b string) int {
	x, _ := new(big.Rat).SetString(a)
	y, _ := new(big.Rat).SetString(b)
	return x.Cmp(y)
}

func sortedUnique(xs []string, cmp func(a, b string) int) bool {
	for i := 1; i < len(xs); i++ {
		if cmp(xs[i-1], xs[i]) >= 0 {
			return false
		}
	}
	return true
}

func TestColumns(t *testing.T) {
	orders, ok := TableByName("orders")
	if !ok {
		t.Fatal("no orders table")
	}
	cols := orders.Columns()
	var names []string
	byName := map[string]string{}
	for _, c := range cols {
		names = append(names, c.Name)
		byName[c.Name] = c.Type
	}
	// Keys, then index keys by index name: customer_id-total-index (an LSI:
	// only its sort key is new) sorts before status-created_at-index.
	if got := strings.Join(names[:5], ","); got != "customer_id,order_id,total,status,created_at" {
		t.Errorf("first columns = %s", got)
	}
	if !slices.IsSorted(names[5 : len(names)-1]) {
		t.Errorf("non-key columns not by name: %v", names[5:len(names)-1])
	}
	if names[len(names)-1] != ItemColumn {
		t.Errorf("last column = %s", names[len(names)-1])
	}
	want := map[string]string{
		"customer_id": "text", "total": "numeric", "items": "jsonb", "item_skus": "numeric[]",
		"labels": "text[]", "attachments": "bytea[]", "signature": "bytea", "gift": "boolean",
		"coupon": "text", "shipping": "jsonb", "return_reason": "text", ItemColumn: "jsonb",
	}
	for n, ty := range want {
		if byName[n] != ty {
			t.Errorf("column %s: type %q, want %q", n, byName[n], ty)
		}
	}
	// No attribute of the demo set mixes DynamoDB types (NULL aside), so every
	// non-key column has the precise type of spec/types.md.
	for _, tb := range Tables() {
		for _, c := range tb.Columns() {
			if c.Type == "" {
				t.Errorf("%s.%s has no type (only NULL values)", tb.Name, c.Name)
			}
		}
	}
}

func TestItemJSON(t *testing.T) {
	it := Item{
		"s":    avS(`a "q" ü`),
		"n":    avN("70.3"),
		"big":  avN("12345678901234567890.123456789012345678"),
		"b":    avB([]byte{0xde, 0xad}),
		"t":    avBool(true),
		"z":    avNull(),
		"m":    avM(Item{"y": avInt(1), "x": avL(avS("<&>"), avL())}),
		"ss":   avSS("b", "a"),
		"ns":   avNSInts(3, -1),
		"bs":   avBS([]byte{1}, []byte{0}),
		"none": avM(Item{}),
	}
	got := ItemJSON(it)
	// jsonb's key order (shorter keys first), sets sorted.
	want := `{"b": "3q0=", "m": {"x": ["<&>", []], "y": 1}, "n": 70.3, "s": "a \"q\" ü", "t": true, "z": null, "bs": ["AA==", "AQ=="], "ns": [-1, 3], "ss": ["a", "b"], "big": 12345678901234567890.123456789012345678, "none": {}}`
	if got != want {
		t.Errorf("ItemJSON =\n%s\nwant\n%s", got, want)
	}
	for _, tb := range Tables() {
		for _, it := range tb.Items {
			if !json.Valid([]byte(ItemJSON(it))) {
				t.Fatalf("%s: invalid JSON %s", tb.Name, ItemJSON(it))
			}
		}
	}
}

func TestPostgresSQLShape(t *testing.T) {
	sql := PostgresSQL()
	for _, s := range []string{
		"CREATE TABLE customers (", "CREATE TABLE orders (", "CREATE TABLE products (",
		"PRIMARY KEY (customer_id, order_id)", `CREATE INDEX "status-created_at-index" ON orders (status, created_at);`,
		`CREATE INDEX "customer_id-total-index" ON orders (customer_id, total);`,
		"sku numeric NOT NULL", "_item jsonb", "O''Brien'",
	} {
		if !strings.Contains(sql, s) {
			t.Errorf("PostgresSQL() lacks %q", s)
		}
	}
	if n := strings.Count(sql, "INSERT INTO "); n != 3+(NumOrders+99)/100+(NumCustomers+99)/100+(NumProducts+99)/100-3 {
		t.Errorf("%d INSERT statements", n)
	}
}

func TestCreateInput(t *testing.T) {
	orders, _ := TableByName("orders")
	in := orders.CreateInput()
	if len(in.GlobalSecondaryIndexes) != 1 || len(in.LocalSecondaryIndexes) != 1 {
		t.Fatalf("indexes: %d GSI, %d LSI", len(in.GlobalSecondaryIndexes), len(in.LocalSecondaryIndexes))
	}
	if len(in.AttributeDefinitions) != 5 {
		t.Errorf("%d attribute definitions, want 5", len(in.AttributeDefinitions))
	}
	if in.BillingMode != types.BillingModePayPerRequest {
		t.Errorf("billing mode %s", in.BillingMode)
	}
}

func TestScaled(t *testing.T) {
	for _, c := range []struct {
		v     int64
		scale int
		want  string
	}{{7030, 2, "70.3"}, {7000, 2, "70"}, {5, 2, "0.05"}, {-1250, 2, "-12.5"}, {0, 2, "0"}, {-5, 3, "-0.005"}, {123, 0, "123"}} {
		if got := scaled(c.v, c.scale); got != c.want {
			t.Errorf("scaled(%d, %d) = %q, want %q", c.v, c.scale, got, c.want)
		}
	}
}

// TestDDLColumnOrder: the reference PostgreSQL's CREATE TABLE declares each
// table's columns in fazproxy's catalog order, so attnum, ordinal_position
// and SELECT * agree between the two servers.
func TestDDLColumnOrder(t *testing.T) {
	ddl := PostgresSQL()
	for _, tb := range Tables() {
		head := "CREATE TABLE " + quoteIdent(tb.Name) + " (\n"
		i := strings.Index(ddl, head)
		if i < 0 {
			t.Fatalf("no CREATE TABLE %s", tb.Name)
		}
		body := ddl[i+len(head):]
		body = body[:strings.Index(body, "    PRIMARY KEY")]
		var got []string
		for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
			got = append(got, strings.Fields(line)[0])
		}
		var want []string
		for _, c := range tb.Columns() {
			want = append(want, quoteIdent(c.Name))
		}
		if !slices.Equal(got, want) {
			t.Errorf("%s: DDL columns %v, want %v", tb.Name, got, want)
		}
	}
}

// TestDDLComments: the reference tables carry fazproxy's comments, so
// clients reading column comments (SQLAlchemy, JDBC REMARKS) compare equal.
func TestDDLComments(t *testing.T) {
	ddl := PostgresSQL()
	for _, want := range []string{
		"COMMENT ON TABLE orders IS 'DynamoDB table orders, status ACTIVE';",
		"COMMENT ON COLUMN orders.customer_id IS 'partition key (S)';",
		"COMMENT ON COLUMN orders.total IS 'key of index customer_id-total-index';",
		"COMMENT ON COLUMN products._item IS 'the whole DynamoDB item';",
		`COMMENT ON INDEX "customer_id-total-index" IS 'DynamoDB local secondary index, projection INCLUDE (status, created_at)';`,
		"COMMENT ON INDEX customers_pkey IS 'DynamoDB primary key';",
	} {
		if !strings.Contains(ddl, want) {
			t.Errorf("DDL lacks %s", want)
		}
	}
	for _, tb := range Tables() {
		for _, c := range tb.Columns() {
			if !strings.Contains(ddl, "COMMENT ON COLUMN "+quoteIdent(tb.Name)+"."+quoteIdent(c.Name)+" IS ") {
				t.Errorf("no comment on %s.%s", tb.Name, c.Name)
			}
		}
	}
}
