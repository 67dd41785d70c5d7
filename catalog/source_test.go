package catalog

import (
	"context"
	"errors"
	"fmt"
	"net"
	"reflect"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/fazproxy/fazproxy/pgerr"
	"github.com/fazproxy/fazproxy/sqltypes"
)

// ordersTable has a sort key, a GSI and an LSI.
func ordersTable() *types.TableDescription {
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &types.TableDescription{
		TableName:            aws.String("orders"),
		AttributeDefinitions: attrDefs("customer_id", "S", "order_id", "S", "status", "S", "created_at", "S", "total", "N"),
		KeySchema:            keys("customer_id", "order_id"),
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndexDescription{{
			IndexName:  aws.String("status-created_at-index"),
			KeySchema:  keys("status", "created_at"),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
		LocalSecondaryIndexes: []types.LocalSecondaryIndexDescription{{
			IndexName:  aws.String("customer_id-total-index"),
			KeySchema:  keys("customer_id", "total"),
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeInclude, NonKeyAttributes: []string{"status"}},
		}},
		TableStatus:      types.TableStatusActive,
		ItemCount:        aws.Int64(42),
		TableSizeBytes:   aws.Int64(4096),
		CreationDateTime: &created,
	}
}

func ordersItems() []item {
	return []item{
		{"customer_id": s("c1"), "order_id": s("o1"), "status": s("NEW"), "amount": n("1.50"), "mixed": s("x"),
			"nothing": null, "maybe": null, "note": n("7"), "_item": s("shadow"),
			"tags": &types.AttributeValueMemberSS{Value: []string{"a"}}},
		{"customer_id": s("c1"), "order_id": s("o2"), "mixed": n("2"), "nothing": null,
			"maybe": &types.AttributeValueMemberBOOL{Value: true},
			"meta":  &types.AttributeValueMemberM{Value: item{"k": s("v")}},
			"list":  &types.AttributeValueMemberL{Value: []types.AttributeValue{n("1")}},
			"nums":  &types.AttributeValueMemberNS{Value: []string{"1"}},
			"blobs": &types.AttributeValueMemberBS{Value: [][]byte{{1}}},
			"blob":  &types.AttributeValueMemberB{Value: []byte{1}}},
	}
}

type wantCol struct {
	name    string
	typ     sqltypes.OID
	src     ColumnSource
	notNull bool
}

func TestTableColumns(t *testing.T) {
	const (
		key  = SourceKey
		ikey = SourceIndexKey
		decl = SourceDeclared
		smp  = SourceSampled
		itm  = SourceItem
	)
	tests := []struct {
		name     string
		desc     *types.TableDescription
		items    []item
		declared map[string]map[string]sqltypes.OID
		sample   int
		want     []wantCol
	}{
		{
			name:  "keys, index keys, declared, sampled, _item",
			desc:  ordersTable(),
			items: ordersItems(),
			declared: map[string]map[string]sqltypes.OID{"orders": {
				"order_id":   sqltypes.Int8,    // key: its type wins
				"status":     sqltypes.Int8,    // index key: its type wins
				"note":       sqltypes.Text,    // declared wins over the sampled N
				"a_declared": sqltypes.Numeric, // declared, never sampled
			}, "other": {"ignored": sqltypes.Text}},
			want: []wantCol{
				{"customer_id", sqltypes.Text, key, true},
				{"order_id", sqltypes.Text, key, true},
				{"total", sqltypes.Numeric, ikey, false}, // customer_id-total-index sorts first
				{"status", sqltypes.Text, ikey, false},
				{"created_at", sqltypes.Text, ikey, false},
				{"a_declared", sqltypes.Numeric, decl, false},
				{"note", sqltypes.Text, decl, false},
				{"amount", sqltypes.Numeric, smp, false},
				{"blob", sqltypes.Bytea, smp, false},
				{"blobs", sqltypes.ByteaArray, smp, false},
				{"list", sqltypes.Jsonb, smp, false},
				{"maybe", sqltypes.Bool, smp, false},
				{"meta", sqltypes.Jsonb, smp, false},
				{"mixed", sqltypes.Jsonb, smp, false},
				{"nothing", sqltypes.Text, smp, false},
				{"nums", sqltypes.NumericArray, smp, false},
				{"tags", sqltypes.TextArray, smp, false},
				{"_item", sqltypes.Jsonb, itm, false},
			},
		},
		{
			name:   "no sampling",
			desc:   ordersTable(),
			items:  ordersItems(),
			sample: -1,
			want: []wantCol{
				{"customer_id", sqltypes.Text, key, true},
				{"order_id", sqltypes.Text, key, true},
				{"total", sqltypes.Numeric, ikey, false},
				{"status", sqltypes.Text, ikey, false},
				{"created_at", sqltypes.Text, ikey, false},
				{"_item", sqltypes.Jsonb, itm, false},
			},
		},
		{
			name:     "numeric key wins over declared text and sampled S",
			desc:     simpleTable("products", "sku", "N"),
			items:    []item{{"sku": n("1"), "name": s("x")}},
			declared: map[string]map[string]sqltypes.OID{"products": {"sku": sqltypes.Text}},
			want: []wantCol{
				{"sku", sqltypes.Numeric, key, true},
				{"name", sqltypes.Text, smp, false},
				{"_item", sqltypes.Jsonb, itm, false},
			},
		},
		{
			name:  "a key named _item displaces the whole-item column",
			desc:  simpleTable("odd", "_item", "S"),
			items: []item{{"_item": s("k"), "v": n("1")}},
			want: []wantCol{
				{"_item", sqltypes.Text, key, true},
				{"v", sqltypes.Numeric, smp, false},
			},
		},
		{
			name: "binary key, empty table",
			desc: simpleTable("blobs", "id", "B"),
			want: []wantCol{
				{"id", sqltypes.Bytea, key, true},
				{"_item", sqltypes.Jsonb, itm, false},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.create(tc.desc, tc.items...)
			src := New(f, Options{Declared: tc.declared, SampleSize: tc.sample})
			tbl, err := src.Table(context.Background(), aws.ToString(tc.desc.TableName))
			if err != nil {
				t.Fatal(err)
			}
			var got []wantCol
			for i, c := range tbl.Columns {
				if int(c.AttNum) != i+1 {
					t.Errorf("column %s: AttNum %d, want %d", c.Name, c.AttNum, i+1)
				}
				got = append(got, wantCol{c.Name, c.Type, c.Source, c.NotNull})
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("columns:\n got  %v\n want %v", got, tc.want)
			}
			if _, _, scans := f.counts(); (scans > 0) != (tc.sample >= 0) {
				t.Errorf("sample %d: %d scans", tc.sample, scans)
			}
		})
	}
}

func TestTableMetadata(t *testing.T) {
	f := newFake()
	f.create(ordersTable(), ordersItems()...)
	clk := newClock()
	tbl, err := New(f, Options{Now: clk.now}).Table(context.Background(), "orders")
	if err != nil {
		t.Fatal(err)
	}
	want := &Table{
		Name:         "orders",
		OID:          TableOID("orders"),
		PartitionKey: KeyAttr{"customer_id", "S"},
		SortKey:      &KeyAttr{"order_id", "S"},
		Indexes: []Index{
			{Name: "customer_id-total-index", PartitionKey: KeyAttr{"customer_id", "S"}, SortKey: &KeyAttr{"total", "N"},
				Projection: "INCLUDE", NonKeyAttributes: []string{"status"}},
			{Name: "status-created_at-index", Global: true, PartitionKey: KeyAttr{"status", "S"}, SortKey: &KeyAttr{"created_at", "S"},
				Projection: "ALL"},
		},
		Status:              "ACTIVE",
		ItemCount:           42,
		SizeBytes:           4096,
		CreatedAt:           time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC),
		FetchedAt:           clk.now(),
		SampleCapacityUnits: 0.5,
	}
	got := *tbl
	got.Columns = nil
	if !reflect.DeepEqual(&got, want) {
		t.Errorf("table:\n got  %+v\n want %+v", got, *want)
	}
}

func TestMissingTable(t *testing.T) {
	tests := []struct {
		name      string
		table     string
		describes int // DescribeTable calls expected
	}{
		{"not found", "nope_table", 1},
		{"too short for DynamoDB", "x", 0},
		{"bad character", "a b c", 0},
		{"quote in name", `a"b"c`, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			_, err := New(f, Options{}).Table(context.Background(), tc.table)
			var pe *pgerr.Error
			if !errors.As(err, &pe) || pe.Code != pgerr.UndefinedTable {
				t.Fatalf("err = %v, want 42P01", err)
			}
			if want := `relation "` + tc.table + `" does not exist`; pe.Message != want {
				t.Errorf("message %q, want %q", pe.Message, want)
			}
			if d, _, _ := f.counts(); d != tc.describes {
				t.Errorf("%d DescribeTable calls, want %d", d, tc.describes)
			}
		})
	}
}

func TestSampleScanErrors(t *testing.T) {
	tests := []struct {
		name     string
		scanErr  error
		wantCode string
		cached   bool // a second Table call makes no new DescribeTable
	}{
		{"table deleted between DescribeTable and Scan", notFound("gone"), pgerr.UndefinedTable, true},
		{"other error is not cached", errors.New("connection reset"), "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.create(simpleTable("gone", "id", "S"))
			f.scanErr = tc.scanErr
			src := New(f, Options{})
			_, err := src.Table(context.Background(), "gone")
			if err == nil {
				t.Fatal("no error")
			}
			if tc.wantCode != "" && pgerr.CodeOf(err) != tc.wantCode {
				t.Errorf("code %s, want %s (%v)", pgerr.CodeOf(err), tc.wantCode, err)
			}
			if !errors.Is(err, tc.scanErr) && tc.wantCode == "" {
				t.Errorf("cause lost: %v", err)
			}
			_, _ = src.Table(context.Background(), "gone")
			if d, _, _ := f.counts(); (d == 1) != tc.cached {
				t.Errorf("%d DescribeTable calls; cached = %v", d, tc.cached)
			}
		})
	}
}

// TestUnreachableIsNotMissing: when DynamoDB cannot be reached or refuses the
// credentials, looking a table up reports that (with dynamo.MapError's code
// and hint), never 42P01 — not even for a name DynamoDB could not hold, whose
// absence fazproxy would otherwise state without asking.
func TestUnreachableIsNotMissing(t *testing.T) {
	refused := fmt.Errorf("operation error DynamoDB: request send failed: %w",
		&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
	noCreds := errors.New("operation error DynamoDB: get identity: get credentials: failed to refresh cached credentials, no EC2 IMDS role found")
	tests := []struct {
		name   string
		table  string
		err    error
		want   string
		inHint string
	}{
		{"refused, valid name", "orders", refused, pgerr.ConnectionFailure, "DynamoDB Local"},
		{"refused, name DynamoDB cannot hold", "t", refused, pgerr.ConnectionFailure, "DynamoDB Local"},
		{"no credentials, valid name", "orders", noCreds, pgerr.InvalidAuthorizationSpec, "AWS_ACCESS_KEY_ID"},
		{"no credentials, name DynamoDB cannot hold", "t", noCreds, pgerr.InvalidAuthorizationSpec, "AWS_ACCESS_KEY_ID"},
		{"reachable, name DynamoDB cannot hold", "t", nil, pgerr.UndefinedTable, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake()
			f.listErr, f.descErr = tc.err, tc.err
			src := New(f, Options{})
			for _, call := range []struct {
				what string
				err  error
			}{
				{"Table", func() error { _, err := src.Table(context.Background(), tc.table); return err }()},
				{"TableNames", func() error { _, err := src.TableNames(context.Background()); return err }()},
			} {
				if call.what == "TableNames" && tc.err == nil {
					continue
				}
				var pe *pgerr.Error
				if !errors.As(call.err, &pe) || pe.Code != tc.want {
					t.Fatalf("%s: err = %v (%s), want %s", call.what, call.err, pgerr.CodeOf(call.err), tc.want)
				}
				if !strings.Contains(pe.Hint, tc.inHint) {
					t.Errorf("%s: hint %q lacks %q", call.what, pe.Hint, tc.inHint)
				}
			}
			// Not cached: once DynamoDB answers, the table is found.
			f.listErr, f.descErr = nil, nil
			f.create(simpleTable("orders", "id", "S"))
			if _, err := src.Table(context.Background(), "orders"); err != nil {
				t.Errorf("after recovery: %v", err)
			}
		})
	}
}
